package dev.quorumdns.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.dns.AbuseLimits;
import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node's DNS abuse settings reach the DNS server's config unchanged; without them, the
 * defaults.
 */
class DnsWiringTest {
  private static NodeConfig node(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("--id", "n1", "--data-dir", "/tmp/q", "--peers", "n1=127.0.0.11:9053"));
    args.addAll(List.of(extra));
    return ConfigLoader.load(args, Map.of());
  }

  @Test
  void abuseLimitsArePassedToTheDnsServer() {
    assertEquals(AbuseLimits.defaults(), DnsWiring.dnsConfig(node()).limits());
    NodeConfig c =
        node("--dns-rrl-rate", "50", "--dns-tcp-per-client", "3", "--upstream-allow", "10.0.0.0/8");
    DnsConfig dns = DnsWiring.dnsConfig(c);
    assertEquals(c.dnsLimits(), dns.limits());
    assertEquals(50, dns.limits().rrlRate());
    assertEquals(3, dns.limits().tcpPerClient());
    assertEquals("10.0.0.0/8", dns.limits().upstreamAllow().toString());
  }
}
