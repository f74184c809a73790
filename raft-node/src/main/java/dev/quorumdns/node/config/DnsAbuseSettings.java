package dev.quorumdns.node.config;

import dev.quorumdns.dns.AbuseLimits;
import dev.quorumdns.dns.AddressRanges;
import java.util.List;

/**
 * Reads the DNS abuse settings ({@code dns-rrl-*}, {@code dns-tcp-per-client}, {@code
 * upstream-allow}) into {@link AbuseLimits}, with the defaults of docs/security/dns.md for keys not
 * given. Stateless.
 */
final class DnsAbuseSettings {
  private DnsAbuseSettings() {}

  static AbuseLimits from(Settings s) {
    AbuseLimits d = AbuseLimits.defaults();
    return new AbuseLimits(
        s.integer("dns-rrl-rate", d.rrlRate(), 0, 1_000_000),
        s.integer("dns-rrl-slip", d.rrlSlip(), 0, 10),
        s.integer("dns-rrl-ipv4-prefix", d.rrlIpv4Prefix(), 1, 32),
        s.integer("dns-rrl-ipv6-prefix", d.rrlIpv6Prefix(), 1, 64),
        s.integer("dns-rrl-table-size", d.rrlTableSize(), 1024, 1 << 24),
        ranges(s, "dns-rrl-exempt", d.rrlExempt()),
        s.integer("dns-tcp-per-client", d.tcpPerClient(), 0, 1_000_000),
        ranges(s, "upstream-allow", d.upstreamAllow()));
  }

  /** The CIDR list under {@code key}; {@code none} (or an empty value) for no address at all. */
  private static AddressRanges ranges(Settings s, String key, AddressRanges fallback) {
    if (!s.has(key)) {
      return fallback;
    }
    List<String> blocks = s.list(key);
    return blocks.isEmpty() ? AddressRanges.none() : AddressRanges.parse(key, blocks);
  }
}
