package dev.quorumdns.registry.store;

import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.history.ChangeLogCodec;
import dev.quorumdns.registry.history.ChangeLogState;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.history.ServiceChange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Writes the change log into an entry's write batch: one put per change record, then pruning of the
 * oldest records that {@link Retention} lets go, at most the records added plus a constant per
 * entry, then the new {@link ChangeLogState}. Deterministic: it reads only the store and the
 * entry's log time. Apply thread only.
 */
final class ChangeLogWriter {
  static final byte[] STATE_KEY = "changelog".getBytes(StandardCharsets.UTF_8);

  private final RocksDB db;
  private final ColumnFamilyHandle changes;
  private final ColumnFamilyHandle meta;
  private final Retention retention;
  private ChangeLogState state;

  ChangeLogWriter(
      RocksDB db,
      ColumnFamilyHandle changes,
      ColumnFamilyHandle meta,
      Retention retention,
      ChangeLogState state) {
    this.db = db;
    this.changes = changes;
    this.meta = meta;
    this.retention = retention;
    this.state = state;
  }

  ChangeLogState state() {
    return state;
  }

  /**
   * Adds the records and the pruning they allow to {@code batch}; returns the state to {@link
   * #committed} once the batch is written. Writes nothing and returns the current state when there
   * is nothing to record.
   */
  ChangeLogState stage(
      WriteBatch batch,
      List<ServiceChange> records,
      boolean nodesOrSettingsChanged,
      long revision,
      long now)
      throws RocksDBException, IOException {
    if (records.isEmpty() && !nodesOrSettingsChanged) {
      return state;
    }
    for (ServiceChange c : records) {
      batch.put(changes, ChangeLogCodec.key(c.revision(), c.key()), ChangeLogCodec.encode(c));
    }
    long kept = state.records() + records.size();
    long oldest = state.oldestRevision();
    int budget = records.size() + retention.extraPrunePerEntry();
    if (kept > retention.minRecords()) {
      try (RocksIterator it = db.newIterator(changes)) {
        // Records of revisions at or below the oldest one are gone, except the rest of a revision
        // whose pruning
        // an earlier entry's budget cut short: start at the oldest revision, not after it.
        for (it.seek(ChangeLogCodec.revisionPrefix(Math.max(1, oldest)));
            it.isValid() && budget > 0;
            it.next()) {
          if (!retention.prunable(kept, logTime(it), now)) {
            break;
          }
          batch.delete(changes, it.key());
          oldest = Math.max(oldest, ChangeLogCodec.revisionOf(it.key()));
          kept--;
          budget--;
        }
        it.status();
      }
    }
    ChangeLogState next =
        new ChangeLogState(
            kept, oldest, nodesOrSettingsChanged ? revision : state.lastNodeOrSettingsChange());
    batch.put(meta, STATE_KEY, ChangeLogCodec.encode(next));
    return next;
  }

  private static long logTime(RocksIterator it) throws CodecException {
    try {
      return ChangeLogCodec.logTimeOf(it.value());
    } catch (CodecException e) {
      throw new CodecException("the change log is corrupt: " + e.getMessage(), e);
    }
  }

  void committed(ChangeLogState next) {
    state = next;
  }
}
