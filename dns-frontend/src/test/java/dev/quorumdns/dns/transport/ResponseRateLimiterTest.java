package dev.quorumdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.AbuseLimits;
import dev.quorumdns.dns.AddressRanges;
import dev.quorumdns.dns.transport.ResponseRateLimiter.Verdict;
import dev.quorumdns.registry.IpAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rate limiter alone, on a settable clock: bursts, slip, prefixes, exemption, refill and the
 * bounded table.
 */
class ResponseRateLimiterTest {
  private static final int RATE = 10;
  private final AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(5));

  private ResponseRateLimiter limiter(int slip, String exempt) {
    AbuseLimits l =
        AbuseLimits.defaults().withRrl(RATE, slip, AddressRanges.parse("dns-rrl-exempt", exempt));
    return new ResponseRateLimiter(l, clock::get);
  }

  private static InetAddress ip(String s) {
    return IpAddresses.parse("test", s);
  }

  private static Map<Verdict, Integer> burst(ResponseRateLimiter r, String client, int n) {
    Map<Verdict, Integer> out = new EnumMap<>(Verdict.class);
    for (Verdict v : Verdict.values()) {
      out.put(v, 0);
    }
    for (int i = 0; i < n; i++) {
      out.merge(r.admit(ip(client)), 1, Integer::sum);
    }
    return out;
  }

  @Test
  void aBurstPastTheRateIsLimitedAndEveryOtherLimitedAnswerSlips() {
    ResponseRateLimiter r = limiter(2, "none");
    Map<Verdict, Integer> got = burst(r, "192.0.2.1", RATE + 20);
    assertEquals(Map.of(Verdict.SEND, RATE, Verdict.SLIP, 10, Verdict.DROP, 10), got);
  }

  @Test
  void slipZeroDropsEverythingAndSlipOneTruncatesEverything() {
    assertEquals(
        Map.of(Verdict.SEND, RATE, Verdict.SLIP, 0, Verdict.DROP, 6),
        burst(limiter(0, "none"), "192.0.2.1", RATE + 6));
    assertEquals(
        Map.of(Verdict.SEND, RATE, Verdict.SLIP, 6, Verdict.DROP, 0),
        burst(limiter(1, "none"), "192.0.2.1", RATE + 6));
    assertEquals(
        Map.of(Verdict.SEND, RATE, Verdict.SLIP, 2, Verdict.DROP, 4),
        burst(limiter(3, "none"), "192.0.2.1", RATE + 6));
  }

  @Test
  void clientsOfOnePrefixShareABucketOtherPrefixesAreUnaffected() throws UnknownHostException {
    ResponseRateLimiter r = limiter(2, "none");
    burst(r, "192.0.2.1", RATE);
    assertEquals(
        RATE, burst(r, "192.0.3.1", RATE).get(Verdict.SEND), "another /24 has its own bucket");
    assertEquals(
        0, burst(r, "192.0.2.200", 4).get(Verdict.SEND), "the same /24 shares the spent bucket");
    burst(r, "2001:db8:0:100::1", RATE);
    assertEquals(0, burst(r, "2001:db8:0:1ff::2", 3).get(Verdict.SEND), "the same IPv6 /56");
    assertEquals(RATE, burst(r, "2001:db8:0:200::1", RATE).get(Verdict.SEND), "another /56");
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 9};
    InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
    r.admit(v6);
    assertEquals(
        Verdict.DROP,
        r.admit(v6),
        "the spent bucket's sixth limited answer is dropped: ::ffff:192.0.2.9 counts as its IPv4 prefix");
  }

  @Test
  void exemptClientsAreNeverLimited() {
    ResponseRateLimiter r = limiter(2, AddressRanges.LOOPBACK + ",198.51.100.0/24");
    assertEquals(1000, burst(r, "127.0.0.1", 1000).get(Verdict.SEND));
    assertEquals(1000, burst(r, "::1", 1000).get(Verdict.SEND));
    assertEquals(1000, burst(r, "198.51.100.77", 1000).get(Verdict.SEND));
    assertEquals(RATE, burst(r, "198.51.101.77", 1000).get(Verdict.SEND), "next door is limited");
  }

  @Test
  void theBucketRefillsAtTheRateAndHoldsAtMostOneSecond() {
    ResponseRateLimiter r = limiter(2, "none");
    assertEquals(RATE, burst(r, "192.0.2.1", RATE * 3).get(Verdict.SEND));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // one token at 10/s
    assertEquals(1, burst(r, "192.0.2.1", 5).get(Verdict.SEND));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(350));
    assertEquals(
        3, burst(r, "192.0.2.1", 5).get(Verdict.SEND), "3.5 tokens refilled: 3 whole ones");
    clock.addAndGet(TimeUnit.MINUTES.toNanos(10));
    assertEquals(
        RATE,
        burst(r, "192.0.2.1", RATE * 2).get(Verdict.SEND),
        "a long pause refills to the rate, no more");
    // A steady client at the rate is never limited.
    for (int i = 0; i < 100; i++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1) / RATE);
      assertEquals(Verdict.SEND, r.admit(ip("192.0.2.1")), "answer " + i);
    }
  }

  @Test
  void theTableStaysBoundedUnderManySourcesAndABusyPrefixStaysLimited()
      throws UnknownHostException {
    AbuseLimits l =
        AbuseLimits.defaults().withRrl(RATE, 2, AddressRanges.none()).withRrlPrefixes(32, 64, 1024);
    ResponseRateLimiter r = new ResponseRateLimiter(l, clock::get);
    assertEquals(1024, r.tableSize());
    burst(r, "192.0.2.1", RATE);
    SplittableRandom random = new SplittableRandom(42);
    List<InetAddress> seen = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      byte[] a = new byte[i % 2 == 0 ? 4 : 16];
      random.nextBytes(a);
      InetAddress client = InetAddress.getByAddress(a);
      assertEquals(Verdict.SEND, r.admit(client), "a new source has a full bucket");
      if (i < 10) {
        seen.add(client);
      }
    }
    assertTrue(r.trackedPrefixes() <= 1024, "tracked " + r.trackedPrefixes());
    assertTrue(r.trackedPrefixes() > 900, "the table is used: " + r.trackedPrefixes());
    // The busy prefix may have been evicted by the flood (oldest first); then it starts again with
    // a full bucket,
    // never with more than the rate.
    assertTrue(burst(r, "192.0.2.1", RATE * 2).get(Verdict.SEND) <= RATE);
  }

  @Test
  @Timeout(30)
  void threadsRacingOnOnePrefixGetTheRateAndNoMore() throws Exception {
    AbuseLimits l = AbuseLimits.defaults().withRrl(1000, 2, AddressRanges.none());
    ResponseRateLimiter r = new ResponseRateLimiter(l, clock::get);
    int threads = 4;
    AtomicInteger sent = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = t;
        workers.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 20_000; i++) {
                    if (r.admit(ip("192.0.2." + (1 + (i + n) % 200))) == Verdict.SEND) {
                      sent.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> w : workers) {
        w.get(); // a worker's exception fails the test here (ExecutionException), it is not lost
        // with its thread
      }
    } finally {
      pool.shutdownNow();
    }
    // Exactly the rate, but for threads that raced to create the prefix's bucket: each loser
    // answered once
    // from a bucket the table did not keep.
    assertTrue(sent.get() >= 1000 && sent.get() < 1000 + threads, "sent " + sent.get());
    assertEquals(1, r.trackedPrefixes());
  }

  @Test
  void rateOffIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ResponseRateLimiter(AbuseLimits.defaults(), clock::get));
  }
}
