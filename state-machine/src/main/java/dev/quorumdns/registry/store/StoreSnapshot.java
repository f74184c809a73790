package dev.quorumdns.registry.store;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Cursor;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.VipOwner;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.history.ChangeLogCodec;
import dev.quorumdns.registry.history.ChangeLogState;
import dev.quorumdns.registry.history.ServiceChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A {@link RegistrySnapshot} over a RocksDB snapshot of the store. Meta, settings and nodes are
 * read when it is opened; services, VIPs and changes as they are iterated. The store revokes it
 * when the store closes: every read takes this object's lock, so revocation waits for a read in
 * progress and later reads fail cleanly instead of touching a closed database.
 */
final class StoreSnapshot implements RegistrySnapshot {
  private final RocksDbRegistryStore store;
  private final RocksDB db;
  private final Snapshot snapshot;
  private final ReadOptions options;
  private final StoredMeta meta;
  private final ClusterSettings settings;
  private final List<NodeRecord> nodes;
  private final ChangeLogState changeLog;
  private final Set<StoreCursor<?>> open = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean closed;

  StoreSnapshot(
      RocksDbRegistryStore store,
      RocksDB db,
      ColumnFamilyHandle metaFamily,
      ColumnFamilyHandle nodeFamily)
      throws IOException {
    this.store = store;
    this.db = db;
    this.snapshot = db.getSnapshot();
    this.options = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
    try {
      byte[] m = db.get(metaFamily, options, RocksDbRegistryStore.META_KEY);
      this.meta = m == null ? StoredMeta.EMPTY : StoredMeta.decode(m);
      byte[] s = db.get(metaFamily, options, RocksDbRegistryStore.SETTINGS_KEY);
      this.settings = s == null ? null : read(s, RegistryCodec::readSettings, "settings");
      byte[] c = db.get(metaFamily, options, ChangeLogWriter.STATE_KEY);
      this.changeLog =
          c == null ? ChangeLogState.startingAt(meta.revision()) : ChangeLogCodec.decodeState(c);
      List<NodeRecord> n = new ArrayList<>();
      try (RocksIterator it = db.newIterator(nodeFamily, options)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          n.add(read(it.value(), RegistryCodec::readNode, "node"));
        }
        it.status();
      }
      this.nodes = List.copyOf(n);
    } catch (RocksDBException | IOException e) {
      release();
      throw e instanceof IOException io
          ? io
          : new IOException("cannot read the registry store: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(ByteSource in) throws CodecException;
  }

  private static <T> T read(byte[] value, Reader<T> reader, String what) throws CodecException {
    ByteSource in = new ByteSource(value);
    T t = reader.read(in);
    in.expectEnd(what);
    return t;
  }

  @Override
  public long revision() {
    return meta.revision();
  }

  @Override
  public long appliedIndex() {
    return meta.appliedIndex();
  }

  @Override
  public Optional<ClusterSettings> settings() {
    return Optional.ofNullable(settings);
  }

  @Override
  public List<NodeRecord> nodes() {
    return nodes;
  }

  @Override
  public ChangeLogState changeLog() {
    return changeLog;
  }

  @Override
  public Cursor<Service> services() {
    return cursor(
        store.services(),
        null,
        null,
        (k, v) ->
            read(
                v, RegistryCodec::readService, "service " + new String(k, StandardCharsets.UTF_8)));
  }

  @Override
  public Cursor<VipOwner> vips(InetAddress first, InetAddress last) {
    byte[] from = first.getAddress();
    byte[] to = last.getAddress();
    if (from.length != to.length) {
      throw new IllegalArgumentException(first + " and " + last + " are of different families");
    }
    return cursor(
        store.vips(),
        from,
        (k) -> k.length == to.length && Arrays.compareUnsigned(k, to) <= 0,
        (k, v) -> new VipOwner(address(k), owner(v)));
  }

  @Override
  public Cursor<ServiceChange> changesAfter(long revision) {
    return cursor(
        store.changes(),
        ChangeLogCodec.revisionPrefix(Math.max(0, revision) + 1),
        null,
        ChangeLogCodec::decode);
  }

  private static InetAddress address(byte[] key) throws CodecException {
    try {
      return key.length == 4
          ? InetAddress.getByAddress(key)
          : Inet6Address.getByAddress(null, key, -1);
    } catch (UnknownHostException e) {
      throw new CodecException("VIP index key of " + key.length + " bytes", e);
    }
  }

  private static ServiceKey owner(byte[] value) throws CodecException {
    try {
      return ServiceKey.parse(new String(value, StandardCharsets.UTF_8));
    } catch (ValidationException e) {
      throw new CodecException("VIP index entry names no service: " + e.getMessage());
    }
  }

  @FunctionalInterface
  private interface Decoder<T> {
    T decode(byte[] key, byte[] value) throws CodecException;
  }

  @FunctionalInterface
  private interface KeyBound {
    boolean within(byte[] key);
  }

  private synchronized <T> Cursor<T> cursor(
      ColumnFamilyHandle family, byte[] from, KeyBound bound, Decoder<T> decoder) {
    check();
    RocksIterator it = db.newIterator(family, options);
    if (from == null) {
      it.seekToFirst();
    } else {
      it.seek(from);
    }
    StoreCursor<T> c = new StoreCursor<>(it, bound, decoder);
    open.add(c);
    return c;
  }

  private void check() {
    if (closed) {
      throw new UncheckedIOException(
          new IOException(
              "registry snapshot at revision "
                  + meta.revision()
                  + " is closed (closed by its reader, or the store was closed or replaced)"));
    }
  }

  /**
   * Closes the snapshot and its cursors; further reads fail. Idempotent; called by the reader or
   * the store.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    for (StoreCursor<?> c : List.copyOf(open)) {
      c.release();
    }
    open.clear();
    release();
    store.forget(this);
  }

  private void release() {
    closed = true;
    options.close();
    db.releaseSnapshot(snapshot);
  }

  /** Iterates one family from a snapshot; each step takes the snapshot's lock. */
  private final class StoreCursor<T> implements Cursor<T> {
    private final RocksIterator it;
    private final KeyBound bound;
    private final Decoder<T> decoder;
    private boolean released;

    StoreCursor(RocksIterator it, KeyBound bound, Decoder<T> decoder) {
      this.it = it;
      this.bound = bound;
      this.decoder = decoder;
    }

    @Override
    public boolean hasNext() {
      synchronized (StoreSnapshot.this) {
        if (released) {
          check();
          return false;
        }
        if (!it.isValid()) {
          status();
          return false;
        }
        return bound == null || bound.within(it.key());
      }
    }

    @Override
    public T next() {
      synchronized (StoreSnapshot.this) {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          T t = decoder.decode(it.key(), it.value());
          it.next();
          return t;
        } catch (CodecException e) {
          throw new UncheckedIOException(
              new IOException("the registry store is corrupt: " + e.getMessage(), e));
        }
      }
    }

    private void status() {
      try {
        it.status();
      } catch (RocksDBException e) {
        throw new UncheckedIOException(
            new IOException("cannot read the registry store: " + e.getMessage(), e));
      }
    }

    @Override
    public void close() {
      synchronized (StoreSnapshot.this) {
        release();
        open.remove(this);
      }
    }

    void release() {
      if (!released) {
        released = true;
        it.close();
      }
    }
  }
}
