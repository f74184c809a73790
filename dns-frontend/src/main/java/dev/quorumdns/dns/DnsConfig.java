package dev.quorumdns.dns;

import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a node's DNS server behaves. Immutable and thread-safe; validated and normalised when built,
 * with errors naming the node's configuration key ({@code dns-port}, {@code domain}, ...).
 *
 * @param bindAddress where UDP and TCP listen
 * @param port the DNS port for both UDP and TCP; 0 picks one free port shared by both (tests)
 * @param domain the forward zone, lower-cased, without trailing dot (e.g. {@code mesh.internal})
 * @param nodeId this node's id: the SOA mname is {@code <nodeId>.node.<domain>.}; the NSID
 * @param ttlSeconds TTL of every positive record
 * @param negativeTtlSeconds the SOA minimum; negative answers are cached for min(SOA TTL, this)
 * @param upstreams where names outside every zone are forwarded, in order; empty means REFUSED
 * @param upstreamTimeout how long to wait for each upstream before trying the next, then SERVFAIL
 * @param udpPayloadSize the EDNS payload size advertised, and the cap on UDP answers to EDNS
 *     clients
 * @param tcpIdleTimeout a TCP connection with no traffic for this long is closed
 * @param maxTcpConnections connections beyond this many are closed as soon as they are accepted
 * @param threads event-loop threads; on Linux each one owns a UDP socket (SO_REUSEPORT)
 * @param limits rate limiting, the per-client TCP cap and who may recurse (docs/security/dns.md)
 * @param transfers who may transfer the zones (AXFR, IXFR) and whom to NOTIFY; off by default
 */
public record DnsConfig(
    InetAddress bindAddress,
    int port,
    String domain,
    String nodeId,
    int ttlSeconds,
    int negativeTtlSeconds,
    List<InetSocketAddress> upstreams,
    Duration upstreamTimeout,
    int udpPayloadSize,
    Duration tcpIdleTimeout,
    int maxTcpConnections,
    int threads,
    AbuseLimits limits,
    TransferConfig transfers) {
  public static final int DEFAULT_PORT = 53535;
  public static final int DEFAULT_TTL = 60;
  public static final int DEFAULT_NEGATIVE_TTL = 30;
  public static final int DEFAULT_UDP_PAYLOAD = 1232;
  public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_TCP_CONNECTIONS = 1024;
  private static final int MAX_TTL = 7 * 86400;

  public DnsConfig {
    if (bindAddress == null) {
      throw new ValidationException("bind", "is required (expected: an IP address)");
    }
    if (port < 0 || port > 65535) {
      throw new ValidationException(
          "dns-port", port + " (expected: 1..65535, or 0 for any free port)");
    }
    domain = normalizeDomain(domain);
    nodeId = DnsLabel.normalize("id", nodeId);
    range("dns-ttl", ttlSeconds, 0, MAX_TTL);
    range("dns-negative-ttl", negativeTtlSeconds, 0, MAX_TTL);
    upstreams = checkUpstreams(upstreams);
    positive("upstream-timeout", upstreamTimeout);
    range("dns-udp-payload", udpPayloadSize, 512, 65535);
    positive("dns-tcp-idle-timeout", tcpIdleTimeout);
    range("dns-max-tcp-connections", maxTcpConnections, 1, 1_000_000);
    range("dns-threads", threads, 1, 64);
    if (limits == null) {
      throw new ValidationException(
          "limits", "is required (expected: AbuseLimits.defaults() or a variant)");
    }
    if (transfers == null) {
      throw new ValidationException(
          "transfers", "is required (expected: TransferConfig.disabled() or a variant)");
    }
  }

  /** A config with no zone transfers. */
  public DnsConfig(
      InetAddress bindAddress,
      int port,
      String domain,
      String nodeId,
      int ttlSeconds,
      int negativeTtlSeconds,
      List<InetSocketAddress> upstreams,
      Duration upstreamTimeout,
      int udpPayloadSize,
      Duration tcpIdleTimeout,
      int maxTcpConnections,
      int threads,
      AbuseLimits limits) {
    this(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        limits,
        TransferConfig.disabled());
  }

  /** A config with the default {@link AbuseLimits}. */
  public DnsConfig(
      InetAddress bindAddress,
      int port,
      String domain,
      String nodeId,
      int ttlSeconds,
      int negativeTtlSeconds,
      List<InetSocketAddress> upstreams,
      Duration upstreamTimeout,
      int udpPayloadSize,
      Duration tcpIdleTimeout,
      int maxTcpConnections,
      int threads) {
    this(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        AbuseLimits.defaults());
  }

  /** The design's defaults for everything but where to listen, the zone and who we are. */
  public static DnsConfig defaults(InetAddress bind, int port, String domain, String nodeId) {
    return new DnsConfig(
        bind,
        port,
        domain,
        nodeId,
        DEFAULT_TTL,
        DEFAULT_NEGATIVE_TTL,
        List.of(),
        DEFAULT_UPSTREAM_TIMEOUT,
        DEFAULT_UDP_PAYLOAD,
        DEFAULT_TCP_IDLE_TIMEOUT,
        DEFAULT_MAX_TCP_CONNECTIONS,
        1);
  }

  public DnsConfig withUpstreams(List<InetSocketAddress> servers) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        servers,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        limits,
        transfers);
  }

  public DnsConfig withUpstreamTimeout(Duration timeout) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        timeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        limits,
        transfers);
  }

  public DnsConfig withTtls(int ttl, int negativeTtl) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttl,
        negativeTtl,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        limits,
        transfers);
  }

  public DnsConfig withUdpPayloadSize(int size) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        size,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        limits,
        transfers);
  }

  public DnsConfig withTcpLimits(Duration idle, int maxConnections) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        idle,
        maxConnections,
        threads,
        limits,
        transfers);
  }

  public DnsConfig withThreads(int n) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        n,
        limits,
        transfers);
  }

  public DnsConfig withLimits(AbuseLimits l) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        l,
        transfers);
  }

  public DnsConfig withTransfers(TransferConfig t) {
    return new DnsConfig(
        bindAddress,
        port,
        domain,
        nodeId,
        ttlSeconds,
        negativeTtlSeconds,
        upstreams,
        upstreamTimeout,
        udpPayloadSize,
        tcpIdleTimeout,
        maxTcpConnections,
        threads,
        limits,
        t);
  }

  /**
   * TTL of the SOA in the authority section of negative answers: min(SOA TTL, SOA minimum), RFC
   * 2308 §5.
   */
  public int negativeAnswerTtl() {
    return Math.min(ttlSeconds, negativeTtlSeconds);
  }

  private static String normalizeDomain(String raw) {
    if (raw == null || raw.isEmpty() || raw.equals(".")) {
      throw new ValidationException(
          "domain", "is required (expected: a DNS name such as mesh.internal)");
    }
    String d =
        (raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw).toLowerCase(Locale.ROOT);
    if (d.length() > 200) {
      throw new ValidationException(
          "domain",
          "is "
              + d.length()
              + " characters long (expected: at most 200, "
              + "leaving room for service names under it)");
    }
    for (String label : d.split("\\.", -1)) {
      DnsLabel.normalize("domain", label);
    }
    return d;
  }

  private static List<InetSocketAddress> checkUpstreams(List<InetSocketAddress> in) {
    if (in == null) {
      return List.of();
    }
    List<InetSocketAddress> out = new ArrayList<>(in.size());
    for (int i = 0; i < in.size(); i++) {
      InetSocketAddress a = in.get(i);
      if (a == null || a.isUnresolved() || a.getPort() == 0) {
        throw new ValidationException(
            "upstream", a + " (expected: an IP address and a port 1..65535)");
      }
      out.add(a);
    }
    return List.copyOf(out);
  }

  private static void range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ValidationException(field, value + " (expected: " + min + ".." + max + ")");
    }
  }

  private static void positive(String field, Duration d) {
    if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new ValidationException(field, d + " (expected: more than 0 s, at most 1 h)");
    }
  }
}
