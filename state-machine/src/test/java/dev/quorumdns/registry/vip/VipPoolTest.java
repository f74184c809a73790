package dev.quorumdns.registry.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VipPoolTest {
  private static final long SEED = Long.getLong("quorumdns.seed", 5952L);

  @ParameterizedTest(name = "{0} refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "240.0.0.1/4 | host bits set",
        "10.0.0.4/29 | host bits set",
        "fd00::1/64 | host bits set",
        "fd00:0:0:0:8000::/64 | host bits set",
        "fd00::18/124 | host bits set",
        "240.0.0.0/31 | prefix /31",
        "240.0.0.0/32 | prefix /32",
        "240.0.0.0/0 | prefix /0",
        "240.0.0.0/-1 | prefix /-1",
        "fd00::/63 | prefix /63",
        "fd00::/48 | prefix /48",
        "fd00::/127 | prefix /127",
        "fd00::/128 | prefix /128",
        "240.0.0.0 | no prefix length",
        "240.0.0.0/x | bad prefix length",
        "240.0.0.0/ 4 | bad prefix length",
        "240.0.0.0/4/4 | bad prefix length",
        "240.0.0/4 | expected: an IPv4 address",
        "240.000.0.0/4 | leading zero",
        "fd00::g/64 | expected: an IPv6 address",
        "::ffff:240.0.0.0/100 | IPv4-mapped",
        "/4 | is required",
        "'' | is required",
        "'   ' | is required"
      })
  void badPoolsAreRefusedNamingTheKey(String cidr, String reason) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> VipPool.parse("vip-cidr", cidr));
    assertEquals("vip-cidr", e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertThrows(ValidationException.class, () -> VipPool.parse("vip-cidr", null));
  }

  @ParameterizedTest(name = "{0}: capacity {1}")
  @CsvSource({
    "10.0.0.0/30, 2, IPV4",
    "10.0.0.8/29, 6, IPV4",
    "10.0.0.0/24, 254, IPV4",
    "240.0.0.0/4, 268435454, IPV4",
    "0.0.0.0/1, 2147483646, IPV4",
    "128.0.0.0/1, 2147483646, IPV4",
    "fd00::/126, 3, IPV6",
    "fd00::/124, 15, IPV6",
    "fd00::/96, 4294967295, IPV6",
    "fd00::/65, 9223372036854775807, IPV6",
    "fd00:fd00::/64, 9223372036854775807, IPV6",
    "::/64, 9223372036854775807, IPV6"
  })
  void goodPoolsParseWithTheirCapacity(String cidr, long capacity, VipPool.Family family) {
    VipPool p = VipPool.parse("v", cidr);
    assertEquals(cidr, p.cidr(), "printed canonically");
    assertEquals(cidr, p.toString());
    assertEquals(
        capacity, p.capacity(), "the network (and IPv4 broadcast) address excluded; saturates");
    assertEquals(family, p.family());
    assertEquals(Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)), p.prefix());
    assertEquals(p, VipPool.parse("other-field", cidr));
    assertEquals(p.hashCode(), VipPool.parse("v", cidr).hashCode());
  }

  @Test
  void poolsPrintCanonicallyAndCompareByBlock() {
    assertEquals("fd00:fd00::/64", VipPool.parse("v", "FD00:FD00:0:0::/64").cidr());
    assertNotEquals(VipPool.parse("v", "10.0.0.0/24"), VipPool.parse("v", "10.0.0.0/25"));
    assertNotEquals(VipPool.parse("v", "10.0.0.0/24"), VipPool.parse("v", "10.0.1.0/24"));
  }

  @Test
  void networkAndBroadcastAreNeverUsable() {
    VipPool p = VipPool.parse("v", "10.0.0.8/29");
    assertFalse(p.usable(ip("10.0.0.8")), "network");
    assertFalse(p.usable(ip("10.0.0.15")), "broadcast");
    assertFalse(p.usable(0));
    assertFalse(p.usable(7));
    for (int host = 9; host <= 14; host++) {
      assertTrue(p.usable(ip("10.0.0." + host)), "10.0.0." + host);
    }
    assertTrue(p.contains(ip("10.0.0.8")));
    assertTrue(p.contains(ip("10.0.0.15")));
    assertFalse(p.contains(ip("10.0.0.7")));
    assertFalse(p.contains(ip("10.0.0.16")));
    assertFalse(p.usable(ip("10.0.0.16")), "outside the pool");
    assertFalse(p.contains(ip("fd00::9")), "another family");
    assertFalse(p.contains(ip("::a00:9")), "IPv4-compatible IPv6 is IPv6");

    VipPool wide = VipPool.parse("v", "240.0.0.0/4");
    assertTrue(wide.contains(ip("255.255.255.255")));
    assertFalse(wide.usable(ip("255.255.255.255")), "broadcast");
    assertFalse(wide.usable(ip("240.0.0.0")), "network");
    assertTrue(wide.usable(ip("240.0.0.255")));
    assertFalse(wide.contains(ip("239.255.255.255")));

    VipPool p6 = VipPool.parse("v", "fd00::/124");
    assertFalse(p6.usable(ip("fd00::")), "network");
    assertTrue(p6.usable(ip("fd00::f")), "IPv6 has no broadcast address");
    assertFalse(p6.contains(ip("fd00::10")));
    assertFalse(p6.contains(ip("10.0.0.1")));
    VipPool p64 = VipPool.parse("v", "fd00:fd00::/64");
    assertTrue(p64.usable(ip("fd00:fd00::ffff:ffff:ffff:ffff")));
    assertFalse(p64.usable(ip("fd00:fd00::")));
    assertFalse(p64.contains(ip("fd00:fd01::1")));
    VipPool odd = VipPool.parse("v", "fd00::a:b000:0/100");
    assertTrue(odd.contains(ip("fd00::a:bfff:ffff")));
    assertFalse(odd.contains(ip("fd00::a:c000:0")));
  }

  @Test
  void offsetsAndAddressesRoundTrip() {
    for (String cidr :
        new String[] {"10.0.0.0/30", "10.0.0.8/29", "10.1.0.0/28", "fd00::/124", "fd00::/125"}) {
      VipPool p = VipPool.parse("v", cidr);
      Set<InetAddress> seen = new HashSet<>();
      long size = p.capacity() + (p.family() == VipPool.Family.IPV4 ? 2 : 1);
      for (long off = 0; off < size; off++) {
        InetAddress a = p.addressAt(off);
        assertEquals(off, p.offsetOf(a), cidr);
        assertTrue(p.contains(a), cidr);
        assertTrue(seen.add(a), cidr);
        assertEquals(p.addressAt(off), p.addressAt(off + size), cidr + ": offsets wrap");
        assertEquals((off + 1) % size, p.next(off), cidr + ": probing wraps around");
      }
      assertEquals(p.capacity(), seen.stream().filter(p::usable).count(), cidr);
    }
    SplittableRandom r = new SplittableRandom(SEED);
    for (String cidr :
        new String[] {"240.0.0.0/4", "0.0.0.0/1", "fd00:fd00::/64", "fd00::/100", "fd00::/65"}) {
      VipPool p = VipPool.parse("v", cidr);
      for (int i = 0; i < 2000; i++) {
        long off = p.offsetOf(p.addressAt(r.nextLong()));
        InetAddress a = p.addressAt(off);
        assertEquals(
            off,
            p.offsetOf(a),
            "seed " + SEED + ", " + cidr + " offset " + Long.toUnsignedString(off));
        assertTrue(p.contains(a), "seed " + SEED + ", " + cidr);
        assertEquals(p.family(), VipPool.Family.of(a));
        assertEquals(
            a, IpAddresses.parse("a", IpAddresses.format(a)), "the text of a VIP parses back");
      }
    }
    VipPool p64 = VipPool.parse("v", "fd00:fd00::/64");
    assertEquals(0, p64.next(-1), "the last offset of a /64 wraps to the network address");
    assertEquals(ip("fd00:fd00::ffff:ffff:ffff:ffff"), p64.addressAt(-1));
  }

  /**
   * The preferred address of a name is part of the stored contract: a change moves every new VIP.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "prod/web, 73217201, 12807572571719283889, 244.93.52.177, fd00:fd00::b1bd:a365:845d:34b1",
    "prod/api, 13794512, 2200805097373596880, 240.210.124.208, fd00:fd00::1e8a:d493:60d2:7cd0",
    "demo/web, 155589171, 2146167744264280627, 249.70.26.51, fd00:fd00::1dc8:b831:4946:1a33"
  })
  void preferredOffsetsArePinned(String name, String off4, String off6, String vip4, String vip6) {
    VipPool p4 = VipPool.parse("v", "240.0.0.0/4");
    VipPool p6 = VipPool.parse("v", "fd00:fd00::/64");
    ServiceKey key = ServiceKey.parse(name);
    assertEquals(off4, Long.toUnsignedString(p4.preferredOffset(key)));
    assertEquals(off6, Long.toUnsignedString(p6.preferredOffset(key)));
    assertEquals(vip4, IpAddresses.format(p4.addressAt(p4.preferredOffset(key))));
    assertEquals(vip6, IpAddresses.format(p6.addressAt(p6.preferredOffset(key))));
  }

  /**
   * More names over more pools, pinned in {@code golden/preferred-offsets.txt} (rewrite with {@code
   * -Dgolden.update=true} only together with a new stored format). The offset in a smaller pool is
   * the same 64-bit hash, masked.
   */
  @Test
  void preferredOffsetsMatchTheGoldenFile() throws IOException {
    String[] pools = {
      "240.0.0.0/4", "10.0.0.0/24", "10.0.0.0/30", "fd00:fd00::/64", "fd00::/100", "fd00::/124"
    };
    String[] names = {
      "prod/web",
      "prod/api",
      "demo/web",
      "a/b",
      "b/a",
      "0/0",
      "web/prod",
      "prod/web-1",
      "prod/web-2",
      "kube-system/kube-dns",
      "x/" + "y".repeat(63),
      "z".repeat(63) + "/" + "9".repeat(63)
    };
    List<String> lines = new ArrayList<>();
    VipPool full = VipPool.parse("v", "fd00:fd00::/64");
    for (String n : names) {
      ServiceKey key = ServiceKey.parse(n);
      long hash = full.preferredOffset(key);
      for (String cidr : pools) {
        VipPool p = VipPool.parse("v", cidr);
        long off = p.preferredOffset(key);
        long mask =
            p.prefix() == 64
                ? -1
                : (1L << ((p.family() == VipPool.Family.IPV4 ? 32 : 128) - p.prefix())) - 1;
        assertEquals(hash & mask, off, n + " in " + cidr + ": the same hash, masked");
        lines.add(
            n
                + " "
                + cidr
                + " "
                + Long.toUnsignedString(off)
                + " "
                + IpAddresses.format(p.addressAt(off)));
      }
    }
    Path file = Path.of("src", "test", "resources", "golden", "preferred-offsets.txt");
    String actual = String.join("\n", lines) + "\n";
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual);
    }
    assertEquals(
        Files.readString(file, StandardCharsets.US_ASCII),
        actual,
        "preferred offsets differ from " + file);
  }

  private static InetAddress ip(String s) {
    return IpAddresses.parse("a", s);
  }
}
