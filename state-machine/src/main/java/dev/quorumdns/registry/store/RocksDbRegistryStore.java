package dev.quorumdns.registry.store;

import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.history.ChangeLogCodec;
import dev.quorumdns.registry.history.ChangeLogState;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.history.ServiceChange;
import dev.quorumdns.registry.vip.VipHold;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable state in RocksDB: one column family each for services, the VIP index,
 * hold-downs, node records and leases, plus settings and {@link StoredMeta} in the default family;
 * and the change log (one record per changed service per revision, see {@link ChangeLogWriter}) in
 * a family of its own. Each applied entry is one atomic write batch, change log included. Writes
 * are not fsynced one by one: the Raft log is, and entries after the stored applied index are
 * replayed from it after a crash.
 *
 * <p>Not thread-safe for writes: {@link #write} is called from the apply thread only. {@link
 * #checkpoint} must not run concurrently with writes. {@link #openSnapshot} may be called from any
 * thread; {@link #close} revokes the snapshots still open.
 */
public final class RocksDbRegistryStore implements AutoCloseable {
  static final byte[] META_KEY = "meta".getBytes(StandardCharsets.UTF_8);
  static final byte[] SETTINGS_KEY = "settings".getBytes(StandardCharsets.UTF_8);
  private static final String[] FAMILIES = {"services", "vips", "holds", "nodes"};
  private static final String CHANGES_FAMILY = "changes";
  private static final String LEASES_FAMILY = "leases";
  private static final String REQUESTS_FAMILY = "requests";
  private static final long SCAN_READAHEAD = 2L << 20;
  private static final long MEMTABLE_BUDGET = 32L << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final ColumnFamilyOptions changesOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle services;
  private final ColumnFamilyHandle vips;
  private final ColumnFamilyHandle holds;
  private final ColumnFamilyHandle nodes;
  private final ColumnFamilyHandle changes;
  private final ColumnFamilyHandle leases;
  private final ColumnFamilyHandle requests;
  private final WriteOptions writeOptions;
  private final Set<StoreSnapshot> snapshots = Collections.newSetFromMap(new IdentityHashMap<>());
  private ChangeLogWriter changeLog;
  private boolean closing;

  private RocksDbRegistryStore(
      Path dir,
      DBOptions dbOptions,
      ColumnFamilyOptions cfOptions,
      ColumnFamilyOptions changesOptions,
      RocksDB db,
      List<ColumnFamilyHandle> handles) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.changesOptions = changesOptions;
    this.db = db;
    this.handles = handles;
    this.meta = handles.get(0);
    this.services = handles.get(1);
    this.vips = handles.get(2);
    this.holds = handles.get(3);
    this.nodes = handles.get(4);
    this.changes = handles.get(5);
    this.leases = handles.get(6);
    this.requests = handles.get(7);
    this.writeOptions = new WriteOptions().setSync(false);
  }

  /**
   * Opens (creating if missing) the store in {@code dir}, keeping the change log by {@link
   * Retention#DEFAULT}.
   */
  public static RocksDbRegistryStore open(Path dir) throws IOException {
    return open(dir, Retention.DEFAULT);
  }

  /**
   * Opens (creating if missing) the store in {@code dir}; {@code retention} other than the default
   * is for tests.
   */
  public static RocksDbRegistryStore open(Path dir, Retention retention) throws IOException {
    Files.createDirectories(dir);
    // Memtables are native memory outside the heap: all families together get MEMTABLE_BUDGET
    // (RocksDB flushes
    // the largest when they pass it), instead of up to 2 x 64 MiB each.
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxBackgroundJobs(2)
            .setKeepLogFileNum(3)
            .setDbWriteBufferSize(MEMTABLE_BUDGET);
    ColumnFamilyOptions cfOptions =
        new ColumnFamilyOptions()
            .optimizeForPointLookup(16)
            .setWriteBufferSize(MEMTABLE_BUDGET / 2)
            .setMaxWriteBufferNumber(2);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (String f : FAMILIES) {
      descriptors.add(new ColumnFamilyDescriptor(f.getBytes(StandardCharsets.UTF_8), cfOptions));
    }
    // The change log is written at the end and read in ranges: RocksDB's defaults, not point-lookup
    // tuning.
    ColumnFamilyOptions changesOptions = new ColumnFamilyOptions();
    descriptors.add(
        new ColumnFamilyDescriptor(
            CHANGES_FAMILY.getBytes(StandardCharsets.UTF_8), changesOptions));
    descriptors.add(
        new ColumnFamilyDescriptor(LEASES_FAMILY.getBytes(StandardCharsets.UTF_8), cfOptions));
    descriptors.add(
        new ColumnFamilyDescriptor(REQUESTS_FAMILY.getBytes(StandardCharsets.UTF_8), cfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDbRegistryStore store;
    try {
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      store = new RocksDbRegistryStore(dir, dbOptions, cfOptions, changesOptions, db, handles);
    } catch (RocksDBException e) {
      changesOptions.close();
      cfOptions.close();
      dbOptions.close();
      throw new IOException("cannot open the registry store in " + dir + ": " + e.getMessage(), e);
    }
    try {
      // Every table file read whole and its block checksums checked, at open: the load reads only
      // the live registry, so a damaged block elsewhere (the change log, older versions) surfaced
      // seconds later in a background read, after the node had started serving (chaos run
      // 2024120602, disk scenario). Refusing at open is the clear failure.
      store.db.verifyChecksum();
    } catch (RocksDBException e) {
      store.close();
      throw new IOException(
          "the registry store in "
              + dir
              + " is corrupt (a table file fails its checksum): "
              + e.getMessage(),
          e);
    }
    try {
      ChangeLogState log = store.readChangeLogState();
      store.changeLog = new ChangeLogWriter(store.db, store.changes, store.meta, retention, log);
    } catch (IOException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * The stored change log state; a store written before there was a change log starts one at its
   * revision.
   */
  private ChangeLogState readChangeLogState() throws IOException {
    try {
      byte[] c = db.get(meta, ChangeLogWriter.STATE_KEY);
      if (c != null) {
        return ChangeLogCodec.decodeState(c);
      }
      byte[] m = db.get(meta, META_KEY);
      return ChangeLogState.startingAt(m == null ? 0 : StoredMeta.decode(m).revision());
    } catch (RocksDBException e) {
      throw new IOException("cannot read the registry store in " + dir + ": " + e.getMessage(), e);
    } catch (CodecException e) {
      throw new IOException("the registry store in " + dir + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** The change log's bookkeeping as last written. Apply thread. */
  public ChangeLogState changeLogState() {
    return changeLog.state();
  }

  public Path directory() {
    return dir;
  }

  /**
   * Reads the whole state into {@code sink}, checking every value and that the VIP index agrees
   * with the services. Streams: one pass over each family with read-ahead, without filling the
   * block cache, holding no copy of the store.
   */
  public void load(StoredStateReader.Sink sink) throws IOException {
    StoredStateReader.Loader in = new StoredStateReader.Loader(sink);
    try (ReadOptions scan =
        new ReadOptions().setFillCache(false).setReadaheadSize(SCAN_READAHEAD)) {
      in.meta(db.get(meta, META_KEY), db.get(meta, SETTINGS_KEY));
      sink.expectServices(db.getLongProperty(services, "rocksdb.estimate-num-keys"));
      scan(services, scan, in::service);
      scan(vips, scan, in::vip);
      in.vipsDone();
      scan(holds, scan, in::hold);
      scan(nodes, scan, in::node);
      scan(leases, scan, in::lease);
    } catch (RocksDBException e) {
      throw new IOException("cannot read the registry store in " + dir + ": " + e.getMessage(), e);
    } catch (CodecException e) {
      throw new IOException("the registry store in " + dir + " is corrupt: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface EntryReader {
    void read(byte[] key, byte[] value) throws CodecException;
  }

  /** Reads one remembered request. */
  @FunctionalInterface
  public interface RequestReader {
    void read(byte[] key, byte[] value) throws IOException;
  }

  /**
   * Hands every remembered request (see {@link RequestChanges}), in key order, to {@code reader}.
   */
  public void loadRequests(RequestReader reader) throws IOException {
    try (ReadOptions scan = new ReadOptions().setFillCache(false);
        RocksIterator it = db.newIterator(requests, scan)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        reader.read(it.key(), it.value());
      }
      it.status();
    } catch (RocksDBException e) {
      throw new IOException("cannot read the registry store in " + dir + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IOException("the registry store in " + dir + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** Hands every key and value of one column family, in key order, to {@code reader}. */
  private void scan(ColumnFamilyHandle family, ReadOptions options, EntryReader reader)
      throws RocksDBException, CodecException {
    try (RocksIterator it = db.newIterator(family, options)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        reader.read(it.key(), it.value());
      }
      it.status();
    }
  }

  /**
   * Writes one applied entry's changes and bookkeeping atomically, with nothing for the change log.
   */
  public void write(StoreChanges changes, StoredMeta newMeta) throws IOException {
    write(changes, newMeta, List.of(), false, null);
  }

  /**
   * Writes one applied entry's changes, its change log records (and the pruning they allow) and
   * bookkeeping atomically.
   *
   * @param recorded one record per service the entry changed, at {@code newMeta}'s revision
   * @param nodesOrSettingsChanged whether the entry changed a node record or the cluster settings
   * @param requestChanges the request to remember and those to forget, or null
   */
  public void write(
      StoreChanges changes,
      StoredMeta newMeta,
      List<ServiceChange> recorded,
      boolean nodesOrSettingsChanged,
      RequestChanges requestChanges)
      throws IOException {
    try (WriteBatch batch = new WriteBatch()) {
      if (requestChanges != null) {
        for (byte[] k : requestChanges.expired()) {
          batch.delete(requests, k);
        }
        if (requestChanges.key() != null) {
          batch.put(requests, requestChanges.key(), requestChanges.value());
        }
      }
      ChangeLogState log =
          changeLog.stage(
              batch, recorded, nodesOrSettingsChanged, newMeta.revision(), newMeta.logTimeMillis());
      for (Map.Entry<ServiceKey, Service> e : changes.services().entrySet()) {
        byte[] k = e.getKey().toString().getBytes(StandardCharsets.UTF_8);
        if (e.getValue() == null) {
          batch.delete(services, k);
        } else {
          ByteSink out = new ByteSink(256);
          RegistryCodec.writeService(out, e.getValue());
          batch.put(services, k, out.toByteArray());
        }
      }
      for (Map.Entry<InetAddress, ServiceKey> e : changes.vips().entrySet()) {
        byte[] k = e.getKey().getAddress();
        if (e.getValue() == null) {
          batch.delete(vips, k);
        } else {
          batch.put(vips, k, e.getValue().toString().getBytes(StandardCharsets.UTF_8));
        }
      }
      for (Map.Entry<InetAddress, VipHold> e : changes.holds().entrySet()) {
        byte[] k = e.getKey().getAddress();
        if (e.getValue() == null) {
          batch.delete(holds, k);
        } else {
          ByteSink out = new ByteSink(64);
          RegistryCodec.writeHold(out, e.getValue());
          batch.put(holds, k, out.toByteArray());
        }
      }
      for (Map.Entry<String, NodeRecord> e : changes.nodes().entrySet()) {
        byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
        if (e.getValue() == null) {
          batch.delete(nodes, k);
        } else {
          ByteSink out = new ByteSink(64);
          RegistryCodec.writeNode(out, e.getValue());
          batch.put(nodes, k, out.toByteArray());
        }
      }
      for (Map.Entry<Long, Lease> e : changes.leases().entrySet()) {
        byte[] k = StoredStateReader.leaseKey(e.getKey());
        if (e.getValue() == null) {
          batch.delete(leases, k);
        } else {
          ByteSink out = new ByteSink(32);
          RegistryCodec.writeLease(out, e.getValue());
          batch.put(leases, k, out.toByteArray());
        }
      }
      if (changes.settings() != null) {
        ByteSink out = new ByteSink(64);
        RegistryCodec.writeSettings(out, changes.settings());
        batch.put(meta, SETTINGS_KEY, out.toByteArray());
      }
      batch.put(meta, META_KEY, newMeta.encode());
      db.write(writeOptions, batch);
      changeLog.committed(log);
    } catch (RocksDBException e) {
      throw new IOException(
          "cannot write to the registry store in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a consistent, openable copy of the store into {@code target} (which must not exist),
   * flushing memtables first so the copy and the live store's files are durable.
   */
  public void checkpoint(Path target) throws IOException {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
        Checkpoint cp = Checkpoint.create(db)) {
      db.flush(flush, handles);
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException(
          "cannot checkpoint the registry store into " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * A consistent read of the store as it is now, for any thread. Close it promptly: it pins old
   * file versions.
   *
   * @throws IOException if the store is closing, or the snapshot's first reads fail
   */
  public RegistrySnapshot openSnapshot() throws IOException {
    synchronized (this) {
      if (closing) {
        throw new IOException("the registry store in " + dir + " is closed");
      }
      StoreSnapshot s = new StoreSnapshot(this, db, meta, nodes);
      snapshots.add(s);
      return s;
    }
  }

  synchronized void forget(StoreSnapshot s) {
    snapshots.remove(s);
  }

  ColumnFamilyHandle services() {
    return services;
  }

  ColumnFamilyHandle vips() {
    return vips;
  }

  ColumnFamilyHandle changes() {
    return changes;
  }

  @Override
  public void close() {
    List<StoreSnapshot> open;
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
      open = List.copyOf(snapshots);
    }
    // Outside the store's lock: a snapshot being closed by its reader takes its own lock, then the
    // store's.
    open.forEach(StoreSnapshot::close);
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      LoggerFactory.getLogger(RocksDbRegistryStore.class)
          .warn("WAL sync on close failed for {}: {}", dir, e.getMessage());
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    changesOptions.close();
    cfOptions.close();
    dbOptions.close();
  }
}
