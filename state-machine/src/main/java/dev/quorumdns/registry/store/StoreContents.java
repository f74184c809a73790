package dev.quorumdns.registry.store;

import java.util.List;
import java.util.Objects;

/**
 * The raw bytes of a store, or of a snapshot (a RocksDB checkpoint of one), family by family, in
 * key order: what {@link StoredStateReader} turns into a {@link StoredState}. Immutable list; the
 * arrays are not copied, so callers must not change them.
 *
 * @param meta the stored {@link StoredMeta}, or null if none was written
 * @param settings the stored cluster settings, or null if the cluster was never initialized
 * @param leases the granted leases, by id (empty in stores written before there were leases)
 */
public record StoreContents(
    byte[] meta,
    byte[] settings,
    List<Entry> services,
    List<Entry> vips,
    List<Entry> holds,
    List<Entry> nodes,
    List<Entry> leases) {
  public StoreContents {
    services = List.copyOf(services);
    vips = List.copyOf(vips);
    holds = List.copyOf(holds);
    nodes = List.copyOf(nodes);
    leases = List.copyOf(leases);
  }

  /** Contents without leases. */
  public StoreContents(
      byte[] meta,
      byte[] settings,
      List<Entry> services,
      List<Entry> vips,
      List<Entry> holds,
      List<Entry> nodes) {
    this(meta, settings, services, vips, holds, nodes, List.of());
  }

  /** One key and its value. */
  public record Entry(byte[] key, byte[] value) {
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }
}
