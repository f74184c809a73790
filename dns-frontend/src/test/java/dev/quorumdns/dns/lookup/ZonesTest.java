package dev.quorumdns.dns.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.vip.VipPool;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;

/**
 * The reverse zones cover each pool exactly, rounded up to the next octet (IPv4) or nibble (IPv6)
 * boundary.
 */
class ZonesTest {
  private static Zones zones(String v4, String v6) {
    return Zones.of(
        "mesh.internal",
        new ClusterSettings(
            VipPool.parse("vip-cidr", v4), v6 == null ? null : VipPool.parse("vip6-cidr", v6), 0));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "240.0.0.0/4;   16; 240.in-addr.arpa.; 255.in-addr.arpa.",
        "10.0.0.0/8;     1; 10.in-addr.arpa.;  10.in-addr.arpa.",
        "10.64.0.0/10;  64; 64.10.in-addr.arpa.; 127.10.in-addr.arpa.",
        "192.168.4.0/22; 4; 4.168.192.in-addr.arpa.; 7.168.192.in-addr.arpa.",
        "192.168.4.0/24; 1; 4.168.192.in-addr.arpa.; 4.168.192.in-addr.arpa.",
        "192.168.4.0/30; 4; 0.4.168.192.in-addr.arpa.; 3.4.168.192.in-addr.arpa."
      })
  void ipv4PoolsAreCoveredByOctetZones(String cidr, int count, String first, String last) {
    List<Name> z = zones(cidr, null).reverseZones();
    assertEquals(count, z.size(), z.toString());
    assertEquals(first, z.get(0).toString());
    assertEquals(last, z.get(z.size() - 1).toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "fd00:fd00::/64; 1; 0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa.",
        "fd00:fd00::/66; 4; 0.0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa.",
        "fd00:fd00::/72; 1; 0.0.0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa."
      })
  void ipv6PoolsAreCoveredByNibbleZones(String cidr, int count, String first) {
    List<Name> z =
        zones("240.0.0.0/4", cidr).reverseZones().stream()
            .filter(n -> n.toString().endsWith("ip6.arpa."))
            .toList();
    assertEquals(count, z.size(), z.toString());
    assertEquals(first, z.get(0).toString());
  }

  @Test
  void namesAreMappedToTheirZone() {
    Zones z = zones("240.0.0.0/4", "fd00:fd00::/64");
    assertEquals(
        "mesh.internal.", z.zoneOf(Name.fromConstantString("a.b.mesh.internal.")).toString());
    assertEquals(
        "241.in-addr.arpa.",
        z.zoneOf(Name.fromConstantString("1.2.3.241.in-addr.arpa.")).toString());
    assertEquals(
        "241.in-addr.arpa.", z.zoneOf(Name.fromConstantString("241.in-addr.arpa.")).toString());
    assertEquals(
        "0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa.",
        z.zoneOf(
                Name.fromConstantString(
                    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa."))
            .toString());
    assertNull(z.zoneOf(Name.fromConstantString("1.2.3.10.in-addr.arpa.")));
    assertNull(z.zoneOf(Name.fromConstantString("in-addr.arpa.")));
    assertNull(z.zoneOf(Name.fromConstantString("xmesh.internal.")));
    assertNull(z.zoneOf(Name.fromConstantString("internal.")));
  }
}
