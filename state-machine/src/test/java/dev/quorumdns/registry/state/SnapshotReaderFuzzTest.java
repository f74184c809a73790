package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.store.StoreContents;
import dev.quorumdns.registry.store.StoredState;
import dev.quorumdns.registry.store.StoredStateReader;
import dev.quorumdns.registry.vip.VipPool;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the snapshot reader (docs/security/fuzzing.md). A snapshot is a RocksDB
 * checkpoint of the store; RocksDB checks its own files, and what the registry itself parses is the
 * values and keys in it. So the input is the store's contents, framed as records (see {@link
 * #contents}), and the property is: the reader either refuses with a {@link CodecException} (which
 * {@code Registry.load} and {@code restore} turn into an {@link java.io.IOException} and "not
 * loaded"), or returns a whole state that the in-memory registry takes without error, with every
 * stored value in it. Seeds: golden store values, under {@code SnapshotReaderFuzzTestInputs/}.
 */
class SnapshotReaderFuzzTest {
  /** Record types in the framed input: the two single values, then the four column families. */
  private static final int META = 0;

  private static final int SETTINGS = 1;
  private static final int SERVICES = 2;
  private static final int VIPS = 3;
  private static final int HOLDS = 4;
  private static final int NODES = 5;
  private static final int LEASES = 6;
  private static final int TYPES = 7;
  private static final String SEEDS = "SnapshotReaderFuzzTestInputs/readSnapshotContents/";

  /**
   * The seeds reach the end of the reader: a corpus that is refused at once would fuzz the refusals
   * only.
   */
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

  /**
   * Headless services, endpoints with health and leases, and leases themselves: spec format 2 in
   * place.
   */
  @Test
  void servicesInSpecFormat2AndLeasesLoadInPlaceAsTheReaderReadsThem() {
    ServiceSpec leased =
        new ServiceSpec(
            List.of(),
            List.of(
                new Endpoint("10.0.0.1", 80, 5, Health.WARNING, 7L),
                new Endpoint("10.0.0.2", null, null, Health.PASSING, 9L)),
            Map.of(),
            null,
            null);
    ServiceSpec headless =
        new ServiceSpec(
            List.of(), List.of(new Endpoint("10.0.0.3", null, null)), Map.of(), null, null, true);
    Service a =
        new Service(
            new ServiceKey("p", "a"),
            leased,
            (Inet4Address) IpAddresses.parse("v", "240.0.0.1"),
            null,
            5,
            3);
    Service b = new Service(new ServiceKey("p", "b"), headless, null, null, 6, 6);
    ByteSink framed = new ByteSink(512);
    for (Service s : List.of(a, b)) {
      ByteSink v = new ByteSink(128);
      RegistryCodec.writeService(v, s);
      frame(framed, SERVICES, s.key().toString().getBytes(StandardCharsets.UTF_8), v.toByteArray());
    }
    frame(framed, VIPS, a.vip4().getAddress(), "p/a".getBytes(StandardCharsets.UTF_8));
    for (long id : new long[] {7, 9}) {
      ByteSink v = new ByteSink(32);
      RegistryCodec.writeLease(v, new Lease(id, 5_000, 1));
      frame(framed, LEASES, new ByteSink(8).fixedLong(id).toByteArray(), v.toByteArray());
    }
    byte[] input = framed.toByteArray();
    readSnapshotContents(input);
    RegistryState loaded = assertDoesNotThrow(() -> RegistryState.read(contents(input)));
    assertEquals(Set.of(a.key()), loaded.leaseUsers(7));
    assertEquals(Set.of(a.key()), loaded.leaseUsers(9));
    assertEquals(1, loaded.used(VipPool.Family.IPV4), "the headless service holds no VIP");
    assertEquals(b, loaded.get(b.key()));
    assertEquals(2, loaded.leases().size());
  }

  private static void frame(ByteSink out, int type, byte[] key, byte[] value) {
    out.u8(type).u8(key.length).raw(key).u8(value.length >>> 8).u8(value.length & 0xff).raw(value);
  }

  @FuzzTest(maxDuration = "5m")
  void readSnapshotContents(byte[] input) {
    StoreContents raw = contents(input);
    StoredState state;
    RegistryState streamed;
    try {
      state = StoredStateReader.read(raw);
    } catch (CodecException refused) {
      // The documented refusal; loading the same contents straight into a registry refuses them
      // too.
      assertThrows(
          CodecException.class,
          () -> RegistryState.read(raw),
          "the node's loader refuses what the reader does");
      return;
    }
    try {
      streamed = RegistryState.read(raw);
    } catch (CodecException e) {
      throw new AssertionError("the node's loader refuses what the reader accepts", e);
    }
    assertEquals(
        state.services().size(), streamed.size(), "the loaded registry holds every service");
    for (Service s : state.services()) {
      assertEquals(s, streamed.get(s.key()), "loaded in place, the service is the one decoded");
    }
    assertEquals(
        raw.services().size(), state.services().size(), "every stored service is in the state");
    assertEquals(raw.holds().size(), state.holds().size(), "every stored hold is in the state");
    assertEquals(raw.nodes().size(), state.nodes().size(), "every stored node is in the state");
    assertEquals(raw.leases().size(), state.leases().size(), "every stored lease is in the state");
    RegistryState live = RegistryState.of(state);
    assertEquals(state.services().size(), live.size(), "the registry holds every service");
    for (Service s : state.services()) {
      if (s.vip4() != null) {
        assertEquals(s, live.byVip(s.vip4()), "the IPv4 VIP leads to its service");
      }
      assertEquals(s, live.get(s.key()), "the key leads to its service");
      ByteSink out = new ByteSink(256);
      RegistryCodec.writeService(out, s);
      try {
        assertEquals(
            s, RegistryCodec.readService(new ByteSource(out.toByteArray())), "service round trip");
      } catch (CodecException e) {
        throw new AssertionError("a service that was read cannot be read back after writing it", e);
      }
    }
  }

  /**
   * Parses the framed input: records of {@code type (u8, mod 7), key length (u8), key, value length
   * (u16, big endian), value}, until the bytes run out. Like RocksDB, a family keeps one value per
   * key, in unsigned byte order; for meta and settings the last record wins.
   */
  static StoreContents contents(byte[] in) {
    byte[] meta = null;
    byte[] settings = null;
    List<Map<byte[], byte[]>> families = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
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
    return new StoreContents(
        meta,
        settings,
        entries(families.get(0)),
        entries(families.get(VIPS - SERVICES)),
        entries(families.get(HOLDS - SERVICES)),
        entries(families.get(NODES - SERVICES)),
        entries(families.get(LEASES - SERVICES)));
  }

  private static List<StoreContents.Entry> entries(Map<byte[], byte[]> family) {
    List<StoreContents.Entry> out = new ArrayList<>();
    family.forEach((k, v) -> out.add(new StoreContents.Entry(k, v)));
    return out;
  }
}
