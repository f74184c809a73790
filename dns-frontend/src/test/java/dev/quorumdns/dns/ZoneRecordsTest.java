package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Type;

/**
 * ZoneRecords lists exactly what DNS serves: per zone SOA and NS, node addresses, services, PTRs.
 */
class ZoneRecordsTest {
  @TempDir Path dir;

  @Test
  void everyServedRecordOnceAndNothingElse() {
    try (DnsFixture fx = new DnsFixture(dir, 0)) {
      List<Record> all = ZoneRecords.enumerate(fx.registry.view(), fx.config);
      assertEquals(all.size(), new HashSet<>(all).size(), "no duplicates");
      Map<Integer, Long> byType =
          all.stream().collect(Collectors.groupingBy(Record::getType, Collectors.counting()));
      int zones = 1 + 16 + 1; // mesh.internal, 240..255.in-addr.arpa, one ip6.arpa zone
      assertEquals(zones, byType.get(Type.SOA));
      assertEquals(zones * 2L, byType.get(Type.NS), "two voters per zone");
      assertEquals(2 + 2L, byType.get(Type.A), "web, db, n1, n3");
      assertEquals(2 + 1L, byType.get(Type.AAAA), "web, db, n2");
      assertEquals(3L, byType.get(Type.SRV), "http, dns (web), pg (db); not the unnamed port");
      assertEquals(4L, byType.get(Type.PTR), "two VIPs per service");
      Set<String> text =
          all.stream().map(r -> r.toString().replaceAll("\\s+", " ")).collect(Collectors.toSet());
      assertTrue(
          text.contains(
              ReverseMap.fromAddress(fx.db.vip6())
                  + " "
                  + fx.config.ttlSeconds()
                  + " IN PTR db.prod.mesh.internal."),
          text.toString());
      assertTrue(
          text.contains(
              "_pg._tcp.db.prod.mesh.internal. "
                  + fx.config.ttlSeconds()
                  + " IN SRV 0 100 5432 db.prod.mesh.internal."),
          text.toString());
      assertEquals(
          Set.of(Type.SOA, Type.NS, Type.A, Type.AAAA, Type.SRV, Type.PTR), byType.keySet());
    }
  }

  @Test
  void nothingBeforeTheStateIsLoaded() {
    Registry unloaded = new Registry(dir, new SimpleMeterRegistry());
    DnsConfig config =
        DnsConfig.defaults(java.net.InetAddress.getLoopbackAddress(), 0, "mesh.internal", "n1");
    assertEquals(List.of(), ZoneRecords.enumerate(unloaded.view(), config));
  }
}
