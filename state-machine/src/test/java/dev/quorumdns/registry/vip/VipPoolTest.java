package dev.quorumdns.registry.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class VipPoolTest {
  @ParameterizedTest(name = "{0} refused")
  @CsvSource({"240.0.0.1/4", "240.0.0.0/31", "240.0.0.0/0", "240.0.0.0", "240.0.0.0/x", "fd00::/48",
      "fd00::/127", "fd00::1/64", "'', "})
  void badPoolsAreRefusedNamingTheKey(String cidr) {
    ValidationException e = assertThrows(ValidationException.class, () -> VipPool.parse("vip-cidr", cidr));
    assertEquals("vip-cidr", e.field());
  }

  @Test
  void networkAndBroadcastAreNeverUsable() {
    VipPool p = VipPool.parse("v", "10.0.0.8/29");
    assertEquals(6, p.capacity());
    assertFalse(p.usable(IpAddresses.parse("a", "10.0.0.8")));
    assertFalse(p.usable(IpAddresses.parse("a", "10.0.0.15")));
    assertTrue(p.usable(IpAddresses.parse("a", "10.0.0.9")));
    assertFalse(p.contains(IpAddresses.parse("a", "10.0.0.16")));
    assertFalse(p.contains(IpAddresses.parse("a", "fd00::9")));
    VipPool p6 = VipPool.parse("v", "fd00::/124");
    assertEquals(15, p6.capacity(), "IPv6 has no broadcast address");
    assertFalse(p6.usable(IpAddresses.parse("a", "fd00::")));
    assertTrue(p6.usable(IpAddresses.parse("a", "fd00::f")));
    assertEquals(Long.MAX_VALUE, VipPool.parse("v", "fd00:fd00::/64").capacity(), "saturates");
  }

  @Test
  void offsetsAndAddressesRoundTrip() {
    for (String cidr : new String[] {"240.0.0.0/4", "10.0.0.0/30", "fd00:fd00::/64", "fd00::/100"}) {
      VipPool p = VipPool.parse("v", cidr);
      for (long off : new long[] {1, 2, 3}) {
        assertEquals(off, p.offsetOf(p.addressAt(off)), cidr);
        assertTrue(p.contains(p.addressAt(off)), cidr);
      }
      assertEquals(cidr, p.cidr());
    }
    VipPool small = VipPool.parse("v", "10.0.0.0/30");
    assertEquals(0, small.next(3), "probing wraps around");
  }

  /** The preferred address of a name is part of the stored contract: a change moves every new VIP. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "prod/web, 73217201, 12807572571719283889, 244.93.52.177, fd00:fd00::b1bd:a365:845d:34b1",
      "prod/api, 13794512, 2200805097373596880, 240.210.124.208, fd00:fd00::1e8a:d493:60d2:7cd0",
      "demo/web, 155589171, 2146167744264280627, 249.70.26.51, fd00:fd00::1dc8:b831:4946:1a33"})
  void preferredOffsetsArePinned(String name, String off4, String off6, String vip4, String vip6) {
    VipPool p4 = VipPool.parse("v", "240.0.0.0/4");
    VipPool p6 = VipPool.parse("v", "fd00:fd00::/64");
    ServiceKey key = ServiceKey.parse(name);
    assertEquals(off4, Long.toUnsignedString(p4.preferredOffset(key)));
    assertEquals(off6, Long.toUnsignedString(p6.preferredOffset(key)));
    assertEquals(vip4, IpAddresses.format(p4.addressAt(p4.preferredOffset(key))));
    assertEquals(vip6, IpAddresses.format(p6.addressAt(p6.preferredOffset(key))));
  }
}
