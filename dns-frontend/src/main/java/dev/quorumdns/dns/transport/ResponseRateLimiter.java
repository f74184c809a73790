package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.AbuseLimits;
import dev.quorumdns.dns.AddressRanges;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Response-rate limiting of UDP answers per client prefix (IPv4 /24, IPv6 /56 by default), in the
 * manner of BIND's and Knot's RRL: each prefix has a token bucket holding {@code rate} answers and
 * refilled at {@code rate} per second (kept as one "theoretical arrival time", GCRA). An answer
 * past the bucket is held back: every {@code slip}th one is sent as an empty truncated answer, so a
 * real client retries over TCP, the rest are dropped.
 *
 * <p>Buckets live in a fixed table (bounded memory): a prefix hashes to a window of {@value
 * #WINDOW} slots; a new prefix takes a free slot there or evicts the slot whose bucket is oldest
 * (lowest arrival time: the most refilled). Lock-free: buckets are claimed and updated with
 * compare-and-set, so any number of event-loop threads may call {@link #admit} at once. A lost race
 * costs at most one answer's accounting, never a lock.
 */
public final class ResponseRateLimiter {
  /** What to do with the answer to one query. */
  public enum Verdict {
    SEND,
    SLIP,
    DROP
  }

  static final int WINDOW = 4;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /**
   * IPv4 keys carry these high bits; as IPv6 /64 prefixes they are multicast space, never a
   * client's source.
   */
  private static final long IPV4_TAG = 0xffff_ffff_0000_0000L;

  private final AtomicReferenceArray<Bucket> table;
  private final int mask;
  private final long interval;
  private final long capacity;
  private final int slip;
  private final int mask4;
  private final long mask6;
  private final AddressRanges exempt;
  private final LongSupplier nanoTime;

  /**
   * @param limits rate, slip, prefix lengths, table size and exempt ranges ({@link
   *     AbuseLimits#rateLimited()} must be true)
   * @param nanoTime the clock, such as {@code System::nanoTime}; tests pass a settable one
   */
  public ResponseRateLimiter(AbuseLimits limits, LongSupplier nanoTime) {
    if (!limits.rateLimited()) {
      throw new IllegalArgumentException("dns-rrl-rate is 0: rate limiting is off");
    }
    int size = Integer.highestOneBit(limits.rrlTableSize() - 1) << 1;
    this.table = new AtomicReferenceArray<>(size);
    this.mask = size - 1;
    this.interval = Math.max(1, NANOS_PER_SECOND / limits.rrlRate());
    this.capacity = interval * limits.rrlRate();
    this.slip = limits.rrlSlip();
    this.mask4 = -1 << (32 - limits.rrlIpv4Prefix());
    this.mask6 = -1L << (64 - limits.rrlIpv6Prefix());
    this.exempt = limits.rrlExempt();
    this.nanoTime = nanoTime;
  }

  /**
   * Counts one answer to {@code client} against its prefix and says whether to send it, slip it or
   * drop it.
   */
  public Verdict admit(InetAddress client) {
    byte[] a = client.getAddress();
    if (exempt.contains(a)) {
      return Verdict.SEND;
    }
    long now = nanoTime.getAsLong();
    Bucket b = bucket(prefixKey(a), now);
    if (b.take(now, interval, capacity)) {
      return Verdict.SEND;
    }
    int limited = b.countLimited();
    return slip > 0 && limited % slip == 0 ? Verdict.SLIP : Verdict.DROP;
  }

  long prefixKey(byte[] a) {
    if (a.length == 4) {
      return IPV4_TAG | (toInt(a, 0) & mask4 & 0xffffffffL);
    }
    if (isMapped4(a)) {
      return IPV4_TAG | (toInt(a, 12) & mask4 & 0xffffffffL);
    }
    return toLong(a, 0) & mask6;
  }

  /** The bucket of {@code key}, claiming a slot of its window for it if it has none. */
  private Bucket bucket(long key, long now) {
    int home = spread(key) & mask;
    int victim = -1;
    Bucket oldest = null;
    for (int i = 0; i < WINDOW; i++) {
      int at = (home + i) & mask;
      Bucket b = table.get(at);
      if (b == null) {
        if (victim < 0 || oldest != null) {
          victim = at;
          oldest = null;
        }
        continue;
      }
      if (b.key == key) {
        return b;
      }
      if (victim < 0 || (oldest != null && b.tat() < oldest.tat())) {
        victim = at;
        oldest = b;
      }
    }
    Bucket fresh = new Bucket(key, now);
    // If another thread changed the slot meanwhile, this answer is counted in a bucket the table
    // does not keep:
    // one answer's accounting lost, no lock taken.
    table.compareAndSet(victim, oldest, fresh);
    return fresh;
  }

  /** Prefixes tracked now (for tests and diagnostics; walks the table). */
  int trackedPrefixes() {
    int n = 0;
    for (int i = 0; i < table.length(); i++) {
      if (table.get(i) != null) {
        n++;
      }
    }
    return n;
  }

  int tableSize() {
    return table.length();
  }

  private static boolean isMapped4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static int toInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | (b[at + 3] & 0xff);
  }

  private static long toLong(byte[] b, int at) {
    return (long) toInt(b, at) << 32 | (toInt(b, at + 4) & 0xffffffffL);
  }

  private static int spread(long key) {
    long h = key * 0x9e3779b97f4a7c15L;
    h ^= h >>> 29;
    h *= 0xbf58476d1ce4e5b9L;
    return (int) (h ^ (h >>> 32));
  }

  /** One prefix's token bucket as a theoretical arrival time: full while it is at or before now. */
  private static final class Bucket {
    private static final VarHandle TAT;
    private static final VarHandle LIMITED;

    static {
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        TAT = l.findVarHandle(Bucket.class, "tat", long.class);
        LIMITED = l.findVarHandle(Bucket.class, "limited", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long key;

    @SuppressWarnings("unused") // through TAT
    private volatile long tat;

    @SuppressWarnings("unused") // through LIMITED
    private volatile int limited;

    Bucket(long key, long now) {
      this.key = key;
      this.tat = now;
    }

    long tat() {
      return (long) TAT.getVolatile(this);
    }

    /** Takes one token if the bucket has one. */
    boolean take(long now, long interval, long capacity) {
      while (true) {
        long t = (long) TAT.getVolatile(this);
        long next = Math.max(t, now) + interval;
        if (next - now > capacity) {
          return false;
        }
        if (TAT.compareAndSet(this, t, next)) {
          return true;
        }
      }
    }

    /** How many answers this bucket held back before this one (0 for the first). */
    int countLimited() {
      return (int) LIMITED.getAndAdd(this, 1) & Integer.MAX_VALUE;
    }
  }
}
