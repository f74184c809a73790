package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ValidationException;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CIDR matching for upstream-allow and dns-rrl-exempt, and the validation of AbuseLimits. */
class AddressRangesTest {
  private static final AddressRanges SOME =
      AddressRanges.parse(
          "upstream-allow",
          "10.0.0.0/8, 192.0.2.128/25, 198.51.100.7, 2001:db8:ab00::/40, ::1, 0.0.0.0/32");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "10.0.0.0, true",
    "10.255.255.255, true",
    "11.0.0.0, false",
    "9.255.255.255, false",
    "192.0.2.128, true",
    "192.0.2.255, true",
    "192.0.2.127, false",
    "198.51.100.7, true",
    "198.51.100.8, false",
    "2001:db8:ab00::1, true",
    "2001:db8:abff:ffff::1, true",
    "2001:db8:ac00::, false",
    "2001:db8:aaff::1, false",
    "::1, true",
    "::2, false",
    "0.0.0.0, true",
    "0.0.0.1, false"
  })
  void blocksMatchTheirAddressesOnly(String ip, boolean inside) {
    assertEquals(inside, SOME.contains(IpAddresses.parse("test", ip)), ip);
  }

  @Test
  void anIpv4MappedAddressMatchesAsIpv4AndTheWordsNoneAndAnyWork() throws UnknownHostException {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
    assertEquals(true, SOME.contains(Inet6Address.getByAddress(null, mapped, -1)));
    assertEquals(
        true,
        AddressRanges.parse("upstream-allow", AddressRanges.PRIVATE)
            .contains(Inet6Address.getByAddress(null, mapped, -1)));
    AddressRanges none = AddressRanges.parse("upstream-allow", List.of("none"));
    assertEquals(true, none.isEmpty());
    assertEquals(false, none.contains(IpAddresses.parse("test", "127.0.0.1")));
    assertEquals("none", none.toString());
    AddressRanges any = AddressRanges.parse("upstream-allow", "0.0.0.0/0,::/0");
    assertEquals(true, any.contains(IpAddresses.parse("test", "203.0.113.9")));
    assertEquals(true, any.contains(IpAddresses.parse("test", "2001:db8::9")));
    assertEquals(
        "10.0.0.0/8,192.0.2.128/25,198.51.100.7/32,2001:db8:ab00::/40,::1/128,0.0.0.0/32",
        SOME.toString(),
        "normalised text");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "10.0.0.1/8",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/x",
        "fc00::1/7",
        "fc00::/129",
        "example.com",
        "10.0.0.0/8/8",
        "",
        "2001:db8::/"
      })
  void badBlocksNameTheKey(String cidr) {
    ValidationException e =
        assertThrows(
            ValidationException.class, () -> AddressRanges.parse("dns-rrl-exempt", List.of(cidr)));
    assertEquals("dns-rrl-exempt", e.field(), e.getMessage());
  }

  @Test
  void abuseLimitsNameTheirKey() {
    AbuseLimits d = AbuseLimits.defaults();
    record Bad(String key, Runnable build) {}
    for (Bad b :
        List.of(
            new Bad("dns-rrl-rate", () -> d.withRrl(-1, 2, d.rrlExempt())),
            new Bad("dns-rrl-slip", () -> d.withRrl(10, 11, d.rrlExempt())),
            new Bad("dns-rrl-exempt", () -> d.withRrl(10, 2, null)),
            new Bad("dns-rrl-ipv4-prefix", () -> d.withRrlPrefixes(0, 56, 1024)),
            new Bad("dns-rrl-ipv6-prefix", () -> d.withRrlPrefixes(24, 65, 1024)),
            new Bad("dns-rrl-table-size", () -> d.withRrlPrefixes(24, 56, 1023)),
            new Bad("dns-tcp-per-client", () -> d.withTcpPerClient(-1)),
            new Bad("upstream-allow", () -> d.withUpstreamAllow(null)))) {
      ValidationException e = assertThrows(ValidationException.class, b.build::run, b.key);
      assertEquals(b.key, e.field(), e.getMessage());
    }
  }
}
