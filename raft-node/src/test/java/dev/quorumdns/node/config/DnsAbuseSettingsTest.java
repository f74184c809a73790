package dev.quorumdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.AbuseLimits;
import dev.quorumdns.dns.AddressRanges;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DNS abuse keys: defaults, flags, environment and YAML lists, and errors naming the key. */
class DnsAbuseSettingsTest {
  private static final List<String> BASE =
      List.of("--id", "n1", "--data-dir", "/tmp/q", "--peers", "n1=127.0.0.11:9053");

  private static AbuseLimits load(List<String> extra, Map<String, String> env) {
    List<String> args = new ArrayList<>(BASE);
    args.addAll(extra);
    return ConfigLoader.load(args, env).dnsLimits();
  }

  private static boolean allows(AddressRanges r, String ip) {
    return r.contains(IpAddresses.parse("test", ip));
  }

  @Test
  void withoutFlagsRateLimitingIsOffAndOnlyPrivateClientsMayRecurse() {
    AbuseLimits l = load(List.of(), Map.of());
    assertEquals(AbuseLimits.defaults(), l);
    assertFalse(l.rateLimited());
    assertEquals(16, l.tcpPerClient());
    assertEquals(2, l.rrlSlip());
    AddressRanges allow = l.upstreamAllow();
    for (String ip :
        List.of("127.0.0.1", "::1", "10.1.2.3", "172.31.255.1", "192.168.7.7", "fd12::1")) {
      assertTrue(allows(allow, ip), ip);
    }
    for (String ip : List.of("8.8.8.8", "172.32.0.1", "100.64.0.1", "2001:db8::1", "fe80::1")) {
      assertFalse(allows(allow, ip), ip);
    }
    AddressRanges exempt = l.rrlExempt();
    assertTrue(allows(exempt, "127.9.9.9"));
    assertFalse(allows(exempt, "10.0.0.1"));
  }

  @Test
  void flagsEnvironmentAndYamlSetEveryKey(@TempDir Path dir) throws IOException {
    Path yaml = dir.resolve("node.yaml");
    Files.writeString(
        yaml,
        """
        dns-rrl-exempt: [ "10.0.0.0/8", "2001:db8::/32" ]
        upstream-allow: none
        dns-rrl-table-size: 4096
        """);
    AbuseLimits l =
        load(
            List.of(
                "--config",
                yaml.toString(),
                "--dns-rrl-rate",
                "200",
                "--dns-rrl-slip",
                "3",
                "--dns-rrl-ipv4-prefix",
                "32",
                "--dns-tcp-per-client=4"),
            Map.of("QUORUMDNS_DNS_RRL_IPV6_PREFIX", "48"));
    assertEquals(200, l.rrlRate());
    assertEquals(3, l.rrlSlip());
    assertEquals(32, l.rrlIpv4Prefix());
    assertEquals(48, l.rrlIpv6Prefix());
    assertEquals(4096, l.rrlTableSize());
    assertEquals(4, l.tcpPerClient());
    assertEquals("10.0.0.0/8,2001:db8::/32", l.rrlExempt().toString());
    assertTrue(l.upstreamAllow().isEmpty(), "none: nobody may recurse");
    assertEquals(
        "192.0.2.0/24,198.51.100.7/32",
        load(List.of("--upstream-allow", "192.0.2.0/24, 198.51.100.7"), Map.of())
            .upstreamAllow()
            .toString());
  }

  @ParameterizedTest(name = "{0} {1} -> error naming {2}")
  @CsvSource({
    "--dns-rrl-rate, -1, dns-rrl-rate",
    "--dns-rrl-rate, lots, dns-rrl-rate",
    "--dns-rrl-slip, 11, dns-rrl-slip",
    "--dns-rrl-ipv4-prefix, 33, dns-rrl-ipv4-prefix",
    "--dns-rrl-ipv6-prefix, 96, dns-rrl-ipv6-prefix",
    "--dns-rrl-table-size, 10, dns-rrl-table-size",
    "--dns-rrl-exempt, 10.0.0.1/8, dns-rrl-exempt",
    "--dns-tcp-per-client, -3, dns-tcp-per-client",
    "--upstream-allow, 10.0.0.0/33, upstream-allow",
    "--upstream-allow, my-lan, upstream-allow",
  })
  void badValuesNameTheKey(String flag, String value, String key) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> load(List.of(flag, value), Map.of()));
    assertEquals(key, e.field(), e.getMessage());
  }
}
