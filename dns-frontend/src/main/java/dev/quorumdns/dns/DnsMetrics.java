package dev.quorumdns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * DNS meters: queries by type, rcode and transport; latency; truncations; malformed packets; cache hits.
 * Tags never carry query names; unusual query types are bucketed as OTHER. Thread-safe; meters are created
 * once and looked up by a small integer key on the hot path.
 */
public final class DnsMetrics {
  /** How a query arrived. */
  public enum Transport {
    UDP,
    TCP
  }

  private static final int[] TRACKED_TYPES = {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.SOA, Type.NS, Type.ANY,
      Type.TXT, Type.MX, Type.CNAME, Type.HTTPS, Type.SVCB, Type.DS, Type.DNSKEY};

  private final MeterRegistry meters;
  private final ConcurrentHashMap<Integer, Counter> queries = new ConcurrentHashMap<>();
  private final Timer[] latency = new Timer[Transport.values().length];
  private final Counter truncated;
  private final Counter malformed;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Counter forwarded;
  private final Counter tcpRejected;

  public DnsMetrics(MeterRegistry meters) {
    this.meters = meters;
    for (Transport t : Transport.values()) {
      latency[t.ordinal()] = Timer.builder("quorumdns.dns.latency")
          .description("Time from receiving a DNS query to handing its answer to the socket")
          .tag("transport", t.name().toLowerCase(java.util.Locale.ROOT))
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(10_000))
          .maximumExpectedValue(Duration.ofSeconds(5))
          .register(meters);
    }
    truncated = Counter.builder("quorumdns.dns.truncated").description("UDP answers sent with TC set")
        .register(meters);
    malformed = Counter.builder("quorumdns.dns.malformed")
        .description("Packets that could not be parsed (dropped or answered FORMERR)").register(meters);
    cacheHits = Counter.builder("quorumdns.dns.cache").description("Answer cache lookups").tag("result", "hit")
        .register(meters);
    cacheMisses = Counter.builder("quorumdns.dns.cache").description("Answer cache lookups").tag("result", "miss")
        .register(meters);
    forwarded = Counter.builder("quorumdns.dns.forwarded").description("Queries sent to an upstream")
        .register(meters);
    tcpRejected = Counter.builder("quorumdns.dns.tcp.rejected")
        .description("TCP connections closed because the connection cap was reached").register(meters);
  }

  private static String typeTag(int qtype) {
    for (int t : TRACKED_TYPES) {
      if (t == qtype) {
        return Type.string(qtype);
      }
    }
    return "OTHER";
  }

  public void query(int qtype, int rcode, Transport transport, long startNanos) {
    int tracked = typeTag(qtype).equals("OTHER") ? -1 : qtype;
    int key = ((tracked & 0xffff) << 16) | ((rcode & 0xfff) << 1) | transport.ordinal();
    queries.computeIfAbsent(key, k -> Counter.builder("quorumdns.dns.queries")
        .description("DNS queries answered, by query type, response code and transport")
        .tag("qtype", typeTag(qtype))
        .tag("rcode", Rcode.string(rcode))
        .tag("transport", transport.name().toLowerCase(java.util.Locale.ROOT))
        .register(meters)).increment();
    latency[transport.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  public void truncated() {
    truncated.increment();
  }

  public void malformed() {
    malformed.increment();
  }

  public double malformedCount() {
    return malformed.count();
  }

  public void cache(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  public void forwarded() {
    forwarded.increment();
  }

  public void tcpRejected() {
    tcpRejected.increment();
  }
}
