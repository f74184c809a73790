package dev.quorumdns.registry.history;

/**
 * The change log's own bookkeeping, stored with every entry that changes it. Immutable.
 *
 * @param records how many change records are kept
 * @param oldestRevision every change after this revision is kept: "changes after R" is complete for
 *     any R at or above it (0 while nothing was ever pruned from a log that started with the
 *     cluster)
 * @param lastNodeOrSettingsChange the last revision that changed a node record or the cluster
 *     settings, which the log does not record: a consumer that needs every served change (an IXFR)
 *     cannot diff across it
 */
public record ChangeLogState(long records, long oldestRevision, long lastNodeOrSettingsChange) {
  public ChangeLogState {
    if (records < 0 || oldestRevision < 0 || lastNodeOrSettingsChange < 0) {
      throw new IllegalArgumentException(
          "change log state " + records + ", " + oldestRevision + ", " + lastNodeOrSettingsChange);
    }
  }

  /**
   * The state of a store that has no change log yet (written before there was one, or brand new):
   * nothing is kept, so the log is complete only after the store's revision.
   */
  public static ChangeLogState startingAt(long revision) {
    return new ChangeLogState(0, revision, revision);
  }
}
