package dev.quorumdns.dns;

import static dev.quorumdns.dns.TransferHelpers.SECONDARY;
import static dev.quorumdns.dns.TransferHelpers.ZONE;
import static dev.quorumdns.dns.TransferHelpers.ask;
import static dev.quorumdns.dns.TransferHelpers.ixfr;
import static dev.quorumdns.dns.TransferHelpers.lines;
import static dev.quorumdns.dns.TransferHelpers.records;
import static dev.quorumdns.dns.TransferHelpers.wire;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.transfer.Serials;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Serials past 2^32 (RFC 1982): the serial is the revision's low 32 bits, keeps increasing in
 * serial arithmetic across the wrap, and a serial from a secondary maps back to the revision it
 * stands for.
 */
class SerialWrapTest {
  private static final long TWO32 = 1L << 32;

  @TempDir Path dir;

  static Stream<Arguments> comparisons() {
    return Stream.of(
        Arguments.of(1L, 0L, 1),
        Arguments.of(0L, 0L, 0),
        Arguments.of(0L, 0xffffffffL, 1),
        Arguments.of(0xffffffffL, 0L, -1),
        Arguments.of(5L, 4294967294L, 1),
        Arguments.of(0x7fffffffL, 0L, 1),
        Arguments.of(0x80000000L, 0L, Integer.MIN_VALUE),
        Arguments.of(0x80000001L, 0L, -1));
  }

  @ParameterizedTest(name = "{0} vs {1}: {2}")
  @MethodSource("comparisons")
  void serialsCompareInRfc1982Arithmetic(long a, long b, int expected) {
    int c = Serials.compare(a, b);
    assertEquals(expected, c == Integer.MIN_VALUE ? c : Integer.signum(c));
  }

  static Stream<Arguments> mappings() {
    return Stream.of(
        Arguments.of(5L, TWO32 + 5, Serials.CURRENT),
        Arguments.of(4294967294L, TWO32 + 5, TWO32 - 2),
        Arguments.of(0L, TWO32 + 5, TWO32),
        Arguments.of(3L, TWO32 + 5, TWO32 + 3),
        Arguments.of(7L, 5L, Serials.CURRENT),
        Arguments.of(10L, TWO32 + 5, Serials.CURRENT),
        Arguments.of(6L, (1L << 31) + 6, Serials.UNKNOWN),
        Arguments.of(7L, (1L << 31) + 6, 7L),
        Arguments.of(0xffffffffL, 3L, Serials.UNKNOWN),
        Arguments.of(1L, 3L * TWO32 + 2, 3L * TWO32 + 1));
  }

  @ParameterizedTest(name = "serial {0} at revision {1}: {2}")
  @MethodSource("mappings")
  void aSecondarysSerialMapsBackToItsRevision(long serial, long current, long expected) {
    assertEquals(expected, Serials.revisionOf(serial, current));
  }

  @Test
  void anIxfrAcrossTheWrapIsTheDifference() throws IOException {
    Registry r = TestRegistries.load(dir);
    long index = TWO32 - 6;
    apply(r, index++, new Command.InitCluster(ClusterSettings.defaults()));
    apply(
        r,
        index++,
        new Command.PutNode(new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 1, 2, 3)));
    Service a =
        written(
            apply(
                r,
                index++,
                new Command.UpsertService(new ServiceKey("ns", "a"), ServiceSpec.ofPorts())));
    long before = r.view().revision();
    assertEquals(4294967292L, Serials.of(before));
    index = TWO32 + 1;
    Service b =
        written(
            apply(
                r,
                index++,
                new Command.UpsertService(new ServiceKey("ns", "b"), ServiceSpec.ofPorts())));
    apply(r, index + 3, new Command.DeleteService(a.key()));
    assertEquals(TWO32 + 5, r.view().revision());

    DnsConfig config =
        DnsConfig.defaults(InetAddress.getLoopbackAddress(), 0, "mesh.internal", "n1")
            .withTransfers(TransferHelpers.config(null, false, 10));
    try (ZoneTransfers transfers =
        TransferHelpers.transfers(config, r, new SimpleMeterRegistry())) {
      QueryHandler h = TransferHelpers.handler(config, r, transfers);
      SOARecord soa =
          (SOARecord)
              ResolverTableTest.ask(h, "mesh.internal.", Type.SOA)
                  .getSection(Section.ANSWER)
                  .get(0);
      assertEquals(5, soa.getSerial(), "the serial is the revision's low 32 bits");
      List<String> diff =
          lines(
              records(
                  ask(h, wire(ixfr(ZONE, Serials.of(before), 1), null), Transport.TCP, SECONDARY)));
      String newSoa =
          "mesh.internal. 60 IN SOA node.mesh.internal. hostmaster.mesh.internal. 5 60 10 86400 30";
      assertEquals(
          List.of(
              newSoa,
              newSoa.replace(" 5 60", " 4294967292 60"),
              "a.ns.mesh.internal. 60 IN A " + IpAddresses.format(a.vip4()),
              "a.ns.mesh.internal. 60 IN AAAA " + IpAddresses.format(a.vip6()),
              newSoa,
              "b.ns.mesh.internal. 60 IN A " + IpAddresses.format(b.vip4()),
              "b.ns.mesh.internal. 60 IN AAAA " + IpAddresses.format(b.vip6()),
              newSoa),
          diff);
    }
    r.close();
  }

  private static Outcome apply(Registry r, long index, Command c) throws IOException {
    return r.apply(1, index, new LogEntry(TestRegistries.T0, c));
  }

  private static Service written(Outcome o) {
    return ((Outcome.Written) o).service();
  }
}
