package dev.quorumdns.dns.transfer;

/**
 * Zone serials and registry revisions. The serial of a revision is its low 32 bits, so every node
 * gives the same serial for the same state and serials keep increasing under RFC 1982 arithmetic
 * when the revision passes 2^32. A serial from a secondary is mapped back to the revision it stands
 * for: the latest revision at or before ours with that serial, which is right as long as the
 * secondary is less than 2^31 revisions behind. Stateless.
 */
public final class Serials {
  /**
   * The secondary's serial is ours or newer (it got the zone from a node further ahead): nothing to
   * send.
   */
  public static final long CURRENT = -1;

  /**
   * The secondary's serial is 2^31 away from ours, or from before revision 0: its version cannot be
   * known.
   */
  public static final long UNKNOWN = -2;

  private static final long MASK = 0xffffffffL;
  private static final long HALF = 1L << 31;

  private Serials() {}

  /** The SOA serial of {@code revision}: its low 32 bits (RFC 1982 wraps it). */
  public static long of(long revision) {
    return revision & MASK;
  }

  /**
   * RFC 1982 §3.2 comparison of two serials: negative if {@code a} precedes {@code b}, 0 if equal,
   * positive if it follows; {@link Integer#MIN_VALUE} when the two are exactly 2^31 apart
   * (undefined).
   */
  public static int compare(long a, long b) {
    long d = (a - b) & MASK;
    if (d == 0) {
      return 0;
    }
    if (d == HALF) {
      return Integer.MIN_VALUE;
    }
    return d < HALF ? 1 : -1;
  }

  /**
   * The revision that {@code serial} (from a secondary's IXFR request) stands for, given our
   * revision {@code current}: a revision at or below {@code current}, or {@link #CURRENT} if the
   * serial is ours or newer, or {@link #UNKNOWN}.
   */
  public static long revisionOf(long serial, long current) {
    int c = compare(serial & MASK, of(current));
    if (c >= 0) {
      return CURRENT;
    }
    if (c == Integer.MIN_VALUE) {
      return UNKNOWN;
    }
    long behind = (of(current) - serial) & MASK;
    long revision = current - behind;
    return revision < 0 ? UNKNOWN : revision;
  }
}
