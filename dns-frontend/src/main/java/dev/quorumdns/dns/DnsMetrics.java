package dev.quorumdns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The DNS meters, all named {@code quorumdns.dns.*}: queries by type, rcode and transport; latency;
 * truncations; malformed packets; internal errors; cache use; forwarding; TCP connections; rate
 * limiting. Tags never carry query names, and query types outside a fixed list are counted as
 * {@code OTHER}, so the number of series is bounded. Thread-safe; the hot path looks meters up in
 * arrays, without allocating.
 */
public final class DnsMetrics {
  /** How a query arrived. */
  public enum Transport {
    UDP,
    TCP;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  private static final int[] TRACKED_TYPES = {
    Type.A,
    Type.AAAA,
    Type.SRV,
    Type.PTR,
    Type.SOA,
    Type.NS,
    Type.ANY,
    Type.TXT,
    Type.MX,
    Type.CNAME,
    Type.HTTPS,
    Type.SVCB,
    Type.DS,
    Type.DNSKEY,
    Type.CAA,
    Type.HINFO
  };
  private static final int OTHER = TRACKED_TYPES.length;
  private static final int RCODES = 24;
  private static final int TRANSPORTS = Transport.values().length;

  private final MeterRegistry meters;
  private final Counter[] queries = new Counter[(TRACKED_TYPES.length + 1) * RCODES * TRANSPORTS];
  private final Timer[] latency = new Timer[TRANSPORTS];
  private final Counter malformed;
  private final Counter truncated;
  private final Counter errors;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Counter forwardedOk;
  private final Counter forwardedFailed;
  private final Counter forwardRefused;
  private final Counter tcpRejected;
  private final Counter tcpRejectedPerClient;
  private final Counter rrlDropped;
  private final Counter rrlSlipped;

  public DnsMetrics(MeterRegistry meters) {
    this.meters = meters;
    for (Transport t : Transport.values()) {
      latency[t.ordinal()] =
          Timer.builder("quorumdns.dns.latency")
              .description("Time from reading a DNS query to handing its answer to the socket")
              .tag("transport", t.tag)
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofNanos(1_000))
              .maximumExpectedValue(Duration.ofSeconds(10))
              .register(meters);
    }
    malformed =
        Counter.builder("quorumdns.dns.malformed")
            .description(
                "Packets that could not be parsed as a query (dropped, or answered FORMERR)")
            .register(meters);
    truncated =
        Counter.builder("quorumdns.dns.truncated")
            .description("UDP answers sent with TC set because the whole answer did not fit")
            .register(meters);
    errors =
        Counter.builder("quorumdns.dns.errors")
            .description("Queries that failed inside the server (a bug); answered SERVFAIL")
            .register(meters);
    cacheHits =
        Counter.builder("quorumdns.dns.cache")
            .description("Answer cache lookups")
            .tag("result", "hit")
            .register(meters);
    cacheMisses =
        Counter.builder("quorumdns.dns.cache")
            .description("Answer cache lookups")
            .tag("result", "miss")
            .register(meters);
    forwardedOk =
        Counter.builder("quorumdns.dns.forwarded")
            .description("Queries sent to an upstream")
            .tag("result", "answered")
            .register(meters);
    forwardedFailed =
        Counter.builder("quorumdns.dns.forwarded")
            .description("Queries sent to an upstream")
            .tag("result", "failed")
            .register(meters);
    forwardRefused =
        Counter.builder("quorumdns.dns.forwarded")
            .description("Queries sent to an upstream")
            .tag("result", "refused")
            .register(meters);
    tcpRejected =
        Counter.builder("quorumdns.dns.tcp.rejected")
            .description("TCP connections closed at once because a connection cap was reached")
            .tag("cap", "server")
            .register(meters);
    tcpRejectedPerClient =
        Counter.builder("quorumdns.dns.tcp.rejected")
            .description("TCP connections closed at once because a connection cap was reached")
            .tag("cap", "client")
            .register(meters);
    rrlDropped =
        Counter.builder("quorumdns.dns.rrl")
            .description(
                "UDP answers held back by response-rate limiting: dropped, or slipped (sent empty with TC)")
            .tag("action", "dropped")
            .register(meters);
    rrlSlipped =
        Counter.builder("quorumdns.dns.rrl")
            .description(
                "UDP answers held back by response-rate limiting: dropped, or slipped (sent empty with TC)")
            .tag("action", "slipped")
            .register(meters);
  }

  private static int typeIndex(int qtype) {
    for (int i = 0; i < TRACKED_TYPES.length; i++) {
      if (TRACKED_TYPES[i] == qtype) {
        return i;
      }
    }
    return OTHER;
  }

  /**
   * Counts one answered query and its latency since {@code startNanos} ({@link System#nanoTime()}).
   */
  public void query(int qtype, int rcode, Transport transport, long startNanos) {
    int type = typeIndex(qtype);
    int rc = rcode >= 0 && rcode < RCODES ? rcode : RCODES - 1;
    int i = (type * RCODES + rc) * TRANSPORTS + transport.ordinal();
    Counter c = queries[i];
    if (c == null) {
      // Racing threads register the same meter; Micrometer hands both the same instance.
      c =
          Counter.builder("quorumdns.dns.queries")
              .description("DNS queries answered, by query type, response code and transport")
              .tag("qtype", type == OTHER ? "OTHER" : Type.string(qtype))
              .tag("rcode", rc == RCODES - 1 ? "OTHER" : Rcode.string(rc))
              .tag("transport", transport.tag)
              .register(meters);
      queries[i] = c;
    }
    c.increment();
    latency[transport.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  public void truncated() {
    truncated.increment();
  }

  public void malformed() {
    malformed.increment();
  }

  public void error() {
    errors.increment();
  }

  public void cache(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  public void forwarded(boolean answered) {
    (answered ? forwardedOk : forwardedFailed).increment();
  }

  /** An out-of-zone question not forwarded because the client is outside {@code upstream-allow}. */
  public void forwardRefused() {
    forwardRefused.increment();
  }

  public void tcpRejected() {
    tcpRejected.increment();
  }

  /**
   * A TCP connection closed because its client already holds {@code dns-tcp-per-client}
   * connections.
   */
  public void tcpRejectedPerClient() {
    tcpRejectedPerClient.increment();
  }

  public void rrlDropped() {
    rrlDropped.increment();
  }

  public void rrlSlipped() {
    rrlSlipped.increment();
  }

  public double rrlDroppedCount() {
    return rrlDropped.count();
  }

  public double rrlSlippedCount() {
    return rrlSlipped.count();
  }

  public double tcpRejectedPerClientCount() {
    return tcpRejectedPerClient.count();
  }

  public double forwardRefusedCount() {
    return forwardRefused.count();
  }

  /** Publishes the number of open TCP connections, read from {@code open}. */
  public void trackTcpConnections(AtomicInteger open) {
    Gauge.builder("quorumdns.dns.tcp.connections", open, AtomicInteger::get)
        .description("Open TCP connections")
        .register(meters);
  }

  public double errorCount() {
    return errors.count();
  }

  public double cacheHitCount() {
    return cacheHits.count();
  }

  public double truncatedCount() {
    return truncated.count();
  }

  public double malformedCount() {
    return malformed.count();
  }
}
