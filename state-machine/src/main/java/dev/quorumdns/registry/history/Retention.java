package dev.quorumdns.registry.history;

/**
 * How much of the change log is kept: at least the last {@code minRecords} records and at least
 * every record younger than {@code minAgeMillis} of log time, whichever is more. Pruning runs
 * inside apply on log time only, so every replica keeps the same records; each entry removes at
 * most the records it added plus {@code extraPrunePerEntry}, which bounds its cost and still lets
 * the log shrink back after a burst. Immutable.
 */
public record Retention(long minRecords, long minAgeMillis, int extraPrunePerEntry) {
  /** What every node uses: 100,000 changes or 10 minutes. */
  public static final Retention DEFAULT = new Retention(100_000, 10 * 60_000L, 64);

  public Retention {
    if (minRecords < 1 || minAgeMillis < 0 || extraPrunePerEntry < 1) {
      throw new IllegalArgumentException(
          "retention " + minRecords + ", " + minAgeMillis + " ms, " + extraPrunePerEntry);
    }
  }

  /**
   * Whether a record from log time {@code recordTime} may go while {@code kept} are kept, at log
   * time {@code now}.
   */
  public boolean prunable(long kept, long recordTime, long now) {
    return kept > minRecords && recordTime < now - minAgeMillis;
  }
}
