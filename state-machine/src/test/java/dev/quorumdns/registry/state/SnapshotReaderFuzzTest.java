package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.store.StoreContents;
import dev.quorumdns.registry.store.StoredState;
import dev.quorumdns.registry.store.StoredStateReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the snapshot reader (docs/security/fuzzing.md). A snapshot is a RocksDB checkpoint of the
 * store; RocksDB checks its own files, and what the registry itself parses is the values and keys in it. So the
 * input is the store's contents, framed as records (see {@link #contents}), and the property is: the reader
 * either refuses with a {@link CodecException} (which {@code Registry.load} and {@code restore} turn into an
 * {@link java.io.IOException} and "not loaded"), or returns a whole state that the in-memory registry takes
 * without error, with every stored value in it. Seeds: golden store values, under
 * {@code SnapshotReaderFuzzTestInputs/}.
 */
class SnapshotReaderFuzzTest {
  /** Record types in the framed input: the two single values, then the four column families. */
  private static final int META = 0;
  private static final int SETTINGS = 1;
  private static final int SERVICES = 2;
  private static final int VIPS = 3;
  private static final int HOLDS = 4;
  private static final int NODES = 5;
  private static final int TYPES = 6;
  private static final String SEEDS = "SnapshotReaderFuzzTestInputs/readSnapshotContents/";

  /** The seeds reach the end of the reader: a corpus that is refused at once would fuzz the refusals only. */
  @Test
  void goldenSeedsAreWholeStates() throws IOException, CodecException {
    for (String seed : List.of("golden-store", "golden-v4-only")) {
      try (InputStream in = getClass().getResourceAsStream(SEEDS + seed)) {
        assertNotNull(in, SEEDS + seed);
        StoredState s = StoredStateReader.read(contents(in.readAllBytes()));
        assertFalse(s.services().isEmpty(), seed);
        assertNotNull(s.settings(), seed);
      }
    }
  }

  @FuzzTest(maxDuration = "5m")
  void readSnapshotContents(byte[] input) {
    StoreContents raw = contents(input);
    StoredState state;
    RegistryState streamed;
    try {
      state = StoredStateReader.read(raw);
    } catch (CodecException refused) {
      // The documented refusal; loading the same contents straight into a registry refuses them too.
      assertThrows(CodecException.class, () -> RegistryState.read(raw), "the node's loader refuses what the reader does");
      return;
    }
    try {
      streamed = RegistryState.read(raw);
    } catch (CodecException e) {
      throw new AssertionError("the node's loader refuses what the reader accepts", e);
    }
    assertEquals(state.services().size(), streamed.size(), "the loaded registry holds every service");
    for (Service s : state.services()) {
      assertEquals(s, streamed.get(s.key()), "loaded in place, the service is the one decoded");
    }
    assertEquals(raw.services().size(), state.services().size(), "every stored service is in the state");
    assertEquals(raw.holds().size(), state.holds().size(), "every stored hold is in the state");
    assertEquals(raw.nodes().size(), state.nodes().size(), "every stored node is in the state");
    RegistryState live = RegistryState.of(state);
    assertEquals(state.services().size(), live.size(), "the registry holds every service");
    for (Service s : state.services()) {
      assertEquals(s, live.byVip(s.vip4()), "the IPv4 VIP leads to its service");
      assertEquals(s, live.get(s.key()), "the key leads to its service");
      ByteSink out = new ByteSink(256);
      RegistryCodec.writeService(out, s);
      try {
        assertEquals(s, RegistryCodec.readService(new ByteSource(out.toByteArray())), "service round trip");
      } catch (CodecException e) {
        throw new AssertionError("a service that was read cannot be read back after writing it", e);
      }
    }
  }

  /**
   * Parses the framed input: records of {@code type (u8, mod 6), key length (u8), key, value length (u16, big
   * endian), value}, until the bytes run out. Like RocksDB, a family keeps one value per key, in unsigned byte
   * order; for meta and settings the last record wins.
   */
  static StoreContents contents(byte[] in) {
    byte[] meta = null;
    byte[] settings = null;
    List<Map<byte[], byte[]>> families = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      families.add(new TreeMap<>(Arrays::compareUnsigned));
    }
    int at = 0;
    while (at + 4 <= in.length) {
      int type = (in[at] & 0xff) % TYPES;
      int keyLength = in[at + 1] & 0xff;
      at += 2;
      if (at + keyLength + 2 > in.length) {
        break;
      }
      byte[] key = Arrays.copyOfRange(in, at, at + keyLength);
      at += keyLength;
      int valueLength = Math.min(((in[at] & 0xff) << 8) | (in[at + 1] & 0xff), in.length - at - 2);
      at += 2;
      byte[] value = Arrays.copyOfRange(in, at, at + valueLength);
      at += valueLength;
      switch (type) {
        case META -> meta = value;
        case SETTINGS -> settings = value;
        default -> families.get(type - SERVICES).put(key, value);
      }
    }
    return new StoreContents(meta, settings, entries(families.get(0)), entries(families.get(VIPS - SERVICES)),
        entries(families.get(HOLDS - SERVICES)), entries(families.get(NODES - SERVICES)));
  }

  private static List<StoreContents.Entry> entries(Map<byte[], byte[]> family) {
    List<StoreContents.Entry> out = new ArrayList<>();
    family.forEach((k, v) -> out.add(new StoreContents.Entry(k, v)));
    return out;
  }
}
