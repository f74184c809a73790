package dev.quorumdns.registry.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.CodecException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The change log's stored formats are pinned like every other stored format: a change to a layout
 * shows up here and must come with a new format version. {@code -Dgolden.update=true} rewrites the
 * files after a deliberate, versioned change.
 */
class ChangeLogGoldenBytesTest {
  private static final Path DIR = Path.of("src", "test", "resources", "golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final long TIME = 1_700_000_000_123L;
  private static final ServiceKey KEY = new ServiceKey("prod", "web");
  private static final Service BEFORE =
      service(List.of(new ServicePort("http", Protocol.TCP, 80)), 7, 7);
  private static final Service AFTER =
      service(
          List.of(
              new ServicePort("http", Protocol.TCP, 8080),
              new ServicePort(null, Protocol.UDP, 5353)),
          42,
          7);

  private static Service service(List<ServicePort> ports, long revision, long created) {
    ServiceSpec spec =
        new ServiceSpec(
            ports, List.of(new Endpoint("10.1.0.5", 8080, 10)), Map.of("team", "web"), null, null);
    return new Service(
        KEY,
        spec,
        (Inet4Address) IpAddresses.parse("v", "240.0.0.9"),
        (Inet6Address) IpAddresses.parse("v", "fd00:fd00::9"),
        revision,
        created);
  }

  private static String golden(String name, byte[] actual) throws IOException {
    Path file = DIR.resolve(name + ".hex");
    if (UPDATE) {
      Files.writeString(file, HexFormat.of().formatHex(actual) + "\n");
    }
    String golden = Files.readString(file, StandardCharsets.US_ASCII).trim();
    assertEquals(
        golden, HexFormat.of().formatHex(actual), name + ": encoding differs from " + file);
    return golden;
  }

  private static void record(String name, ServiceChange c) throws IOException {
    byte[] key =
        HexFormat.of().parseHex(golden(name + "-key", ChangeLogCodec.key(c.revision(), c.key())));
    byte[] value = HexFormat.of().parseHex(golden(name, ChangeLogCodec.encode(c)));
    assertEquals(c, ChangeLogCodec.decode(key, value), name + ": golden bytes decode");
    assertEquals(
        c.logTimeMillis(), ChangeLogCodec.logTimeOf(value), name + ": log time read alone");
  }

  @Test
  void aCreationMatchesItsGoldenBytes() throws IOException {
    record("changelog-created", ServiceChange.put(7, null, BEFORE, TIME));
  }

  @Test
  void anUpdateMatchesItsGoldenBytes() throws IOException {
    record("changelog-updated", ServiceChange.put(42, BEFORE, AFTER, TIME));
  }

  @Test
  void aDeletionMatchesItsGoldenBytes() throws IOException {
    record("changelog-deleted", ServiceChange.delete(43, AFTER, TIME + 1));
  }

  @Test
  void theStateMatchesItsGoldenBytes() throws IOException {
    ChangeLogState s = new ChangeLogState(100_001, 4_294_967_296L, 17);
    assertEquals(
        s,
        ChangeLogCodec.decodeState(
            HexFormat.of().parseHex(golden("changelog-state", ChangeLogCodec.encode(s)))));
  }

  @Test
  void keysSortByRevisionThenServiceKey() {
    byte[] a = ChangeLogCodec.key(255, new ServiceKey("zz", "zz"));
    byte[] b = ChangeLogCodec.key(256, new ServiceKey("aa", "aa"));
    byte[] c = ChangeLogCodec.key(256, new ServiceKey("aa", "ab"));
    assertEquals(-1, Integer.signum(Arrays.compareUnsigned(a, b)));
    assertEquals(-1, Integer.signum(Arrays.compareUnsigned(b, c)));
    assertEquals(-1, Integer.signum(Arrays.compareUnsigned(ChangeLogCodec.revisionPrefix(256), b)));
  }

  @Test
  void refusesRecordsThatDoNotAgreeWithTheirKey() throws IOException {
    byte[] value = ChangeLogCodec.encode(ServiceChange.put(42, BEFORE, AFTER, TIME));
    CodecException other =
        assertThrows(
            CodecException.class,
            () ->
                ChangeLogCodec.decode(
                    ChangeLogCodec.key(42, new ServiceKey("prod", "api")), value));
    assertEquals(
        "change of prod/api at revision 42: holds a record of another service", other.getMessage());
    byte[] unknown = value.clone();
    unknown[0] = 2;
    assertEquals(
        "change of prod/web at revision 42: unknown format 2",
        assertThrows(
                CodecException.class,
                () -> ChangeLogCodec.decode(ChangeLogCodec.key(42, KEY), unknown))
            .getMessage());
    byte[] type = value.clone();
    type[1] = 3;
    assertEquals(
        "change of prod/web at revision 42: unknown change type 3",
        assertThrows(
                CodecException.class,
                () -> ChangeLogCodec.decode(ChangeLogCodec.key(42, KEY), type))
            .getMessage());
    byte[] longer = Arrays.copyOf(value, value.length + 1);
    assertThrows(
        CodecException.class, () -> ChangeLogCodec.decode(ChangeLogCodec.key(42, KEY), longer));
    assertThrows(
        CodecException.class,
        () -> ChangeLogCodec.decode(ChangeLogCodec.revisionPrefix(42), value));
    assertThrows(
        CodecException.class, () -> ChangeLogCodec.decode(ChangeLogCodec.key(0, KEY), value));
    assertThrows(CodecException.class, () -> ChangeLogCodec.decodeState(new byte[] {2, 0, 0, 0}));
  }

  @Test
  void everyTruncationOfARecordIsRefused() {
    byte[] key = ChangeLogCodec.key(42, KEY);
    byte[] value = ChangeLogCodec.encode(ServiceChange.put(42, BEFORE, AFTER, TIME));
    for (int n = 0; n < value.length; n++) {
      byte[] cut = Arrays.copyOf(value, n);
      assertThrows(
          CodecException.class, () -> ChangeLogCodec.decode(key, cut), "cut to " + n + " bytes");
    }
  }
}
