package dev.quorumdns.dns;

import dev.quorumdns.registry.ValidationException;

/**
 * What a node's DNS server does against abuse (docs/security/dns.md): response-rate limiting of UDP
 * answers per client prefix, a cap on TCP connections per client address, and who may have names
 * outside our zones forwarded. Immutable and thread-safe; validated when built, with errors naming
 * the node's configuration key.
 *
 * @param rrlRate UDP answers per second allowed to one client prefix (the bucket also holds this
 *     many); 0 turns rate limiting off
 * @param rrlSlip every Nth limited answer is sent as an empty truncated (TC) answer, so a real
 *     client retries over TCP; the others are dropped. 0: drop all, 1: truncate all
 * @param rrlIpv4Prefix the prefix length that groups IPv4 clients into one bucket
 * @param rrlIpv6Prefix the prefix length that groups IPv6 clients into one bucket (at most 64)
 * @param rrlTableSize how many prefixes are tracked at most (rounded up to a power of two); the
 *     oldest make room
 * @param rrlExempt clients never rate limited
 * @param tcpPerClient TCP connections one client address may hold open at once; 0 means no
 *     per-client cap
 * @param upstreamAllow clients whose out-of-zone questions are forwarded to the upstreams; others
 *     get REFUSED
 */
public record AbuseLimits(
    int rrlRate,
    int rrlSlip,
    int rrlIpv4Prefix,
    int rrlIpv6Prefix,
    int rrlTableSize,
    AddressRanges rrlExempt,
    int tcpPerClient,
    AddressRanges upstreamAllow) {
  public static final int DEFAULT_RRL_RATE = 0;
  public static final int DEFAULT_RRL_SLIP = 2;
  public static final int DEFAULT_RRL_IPV4_PREFIX = 24;
  public static final int DEFAULT_RRL_IPV6_PREFIX = 56;
  public static final int DEFAULT_RRL_TABLE_SIZE = 65_536;
  public static final int DEFAULT_TCP_PER_CLIENT = 16;

  public AbuseLimits {
    range("dns-rrl-rate", rrlRate, 0, 1_000_000);
    range("dns-rrl-slip", rrlSlip, 0, 10);
    range("dns-rrl-ipv4-prefix", rrlIpv4Prefix, 1, 32);
    range("dns-rrl-ipv6-prefix", rrlIpv6Prefix, 1, 64);
    range("dns-rrl-table-size", rrlTableSize, 1024, 1 << 24);
    if (rrlExempt == null) {
      throw new ValidationException(
          "dns-rrl-exempt", "is required (expected: CIDR blocks, or none)");
    }
    range("dns-tcp-per-client", tcpPerClient, 0, 1_000_000);
    if (upstreamAllow == null) {
      throw new ValidationException(
          "upstream-allow", "is required (expected: CIDR blocks, or none)");
    }
  }

  /**
   * The defaults: no rate limiting (loopback exempt once it is turned on), 16 TCP connections per
   * client, and forwarding only for loopback and private (RFC 1918, ULA) clients.
   */
  public static AbuseLimits defaults() {
    return new AbuseLimits(
        DEFAULT_RRL_RATE,
        DEFAULT_RRL_SLIP,
        DEFAULT_RRL_IPV4_PREFIX,
        DEFAULT_RRL_IPV6_PREFIX,
        DEFAULT_RRL_TABLE_SIZE,
        AddressRanges.parse("dns-rrl-exempt", AddressRanges.LOOPBACK),
        DEFAULT_TCP_PER_CLIENT,
        AddressRanges.parse("upstream-allow", AddressRanges.PRIVATE));
  }

  public boolean rateLimited() {
    return rrlRate > 0;
  }

  public AbuseLimits withRrl(int rate, int slip, AddressRanges exempt) {
    return new AbuseLimits(
        rate,
        slip,
        rrlIpv4Prefix,
        rrlIpv6Prefix,
        rrlTableSize,
        exempt,
        tcpPerClient,
        upstreamAllow);
  }

  public AbuseLimits withRrlPrefixes(int ipv4, int ipv6, int tableSize) {
    return new AbuseLimits(
        rrlRate, rrlSlip, ipv4, ipv6, tableSize, rrlExempt, tcpPerClient, upstreamAllow);
  }

  public AbuseLimits withTcpPerClient(int n) {
    return new AbuseLimits(
        rrlRate, rrlSlip, rrlIpv4Prefix, rrlIpv6Prefix, rrlTableSize, rrlExempt, n, upstreamAllow);
  }

  public AbuseLimits withUpstreamAllow(AddressRanges allow) {
    return new AbuseLimits(
        rrlRate,
        rrlSlip,
        rrlIpv4Prefix,
        rrlIpv6Prefix,
        rrlTableSize,
        rrlExempt,
        tcpPerClient,
        allow);
  }

  private static void range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ValidationException(field, value + " (expected: " + min + ".." + max + ")");
    }
  }
}
