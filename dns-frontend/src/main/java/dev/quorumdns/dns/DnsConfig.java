package dev.quorumdns.dns;

import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node's DNS server behaves. Immutable; validated when built, errors naming the node's config key.
 *
 * @param domain           the forward zone, without trailing dot (e.g. {@code mesh.internal})
 * @param nodeId           this node's id: the SOA mname is {@code <nodeId>.node.<domain>.}, and the NSID
 * @param upstreams        where names outside every zone are forwarded; empty means REFUSED
 * @param udpPayloadSize   the EDNS payload size advertised and the cap on UDP answers
 * @param maxTcpConnections connections beyond this are closed at once
 * @param threads          event-loop threads; on Linux, one UDP socket each (SO_REUSEPORT)
 */
public record DnsConfig(InetAddress bindAddress, int port, String domain, String nodeId, int ttlSeconds,
                        int negativeTtlSeconds, List<InetSocketAddress> upstreams, Duration upstreamTimeout,
                        int udpPayloadSize, Duration tcpIdleTimeout, int maxTcpConnections, int threads) {
  public DnsConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (port < 0 || port > 65535) {
      throw new ValidationException("dns-port", port + " (expected: 1..65535)");
    }
    Objects.requireNonNull(domain, "domain");
    for (String label : domain.split("\\.", -1)) {
      DnsLabel.normalize("domain", label);
    }
    domain = domain.toLowerCase(java.util.Locale.ROOT);
    nodeId = DnsLabel.normalize("id", nodeId);
    if (ttlSeconds < 0 || negativeTtlSeconds < 0) {
      throw new ValidationException("dns-ttl", "must not be negative");
    }
    upstreams = List.copyOf(upstreams);
    if (udpPayloadSize < 512 || udpPayloadSize > 65535) {
      throw new ValidationException("dns-udp-payload", udpPayloadSize + " (expected: 512..65535)");
    }
    if (maxTcpConnections < 1) {
      throw new ValidationException("dns-max-tcp-connections", maxTcpConnections + " (expected: at least 1)");
    }
    if (threads < 1 || threads > 64) {
      throw new ValidationException("dns-threads", threads + " (expected: 1..64)");
    }
  }

  /** The design's defaults for everything but where to listen and who we are. */
  public static DnsConfig defaults(InetAddress bind, int port, String domain, String nodeId) {
    return new DnsConfig(bind, port, domain, nodeId, 60, 30, List.of(), Duration.ofSeconds(2), 1232,
        Duration.ofSeconds(30), 1024, 1);
  }

  public DnsConfig withUpstreams(List<InetSocketAddress> servers) {
    return new DnsConfig(bindAddress, port, domain, nodeId, ttlSeconds, negativeTtlSeconds, servers,
        upstreamTimeout, udpPayloadSize, tcpIdleTimeout, maxTcpConnections, threads);
  }

  public DnsConfig withTtls(int ttl, int negativeTtl) {
    return new DnsConfig(bindAddress, port, domain, nodeId, ttl, negativeTtl, upstreams, upstreamTimeout,
        udpPayloadSize, tcpIdleTimeout, maxTcpConnections, threads);
  }

  public DnsConfig withThreads(int n) {
    return new DnsConfig(bindAddress, port, domain, nodeId, ttlSeconds, negativeTtlSeconds, upstreams,
        upstreamTimeout, udpPayloadSize, tcpIdleTimeout, maxTcpConnections, n);
  }

  public DnsConfig withTcpLimits(Duration idle, int maxConnections) {
    return new DnsConfig(bindAddress, port, domain, nodeId, ttlSeconds, negativeTtlSeconds, upstreams,
        upstreamTimeout, udpPayloadSize, idle, maxConnections, threads);
  }
}
