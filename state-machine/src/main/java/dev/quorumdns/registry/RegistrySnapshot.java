package dev.quorumdns.registry;

import dev.quorumdns.registry.history.ChangeLogState;
import dev.quorumdns.registry.history.ServiceChange;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A consistent, point-in-time read of one replica's store (a RocksDB snapshot): everything it
 * returns is as of {@link #revision()}, however many entries are applied meanwhile. Values are read
 * from disk as they are iterated, never the whole registry at once, so a snapshot suits zone
 * transfers and change feeds of any size.
 *
 * <p>Holding a snapshot pins old versions of the store's files: close it as soon as it is read. If
 * the store is closed or replaced (a snapshot installed from the leader) while it is open, further
 * reads fail with {@link java.io.UncheckedIOException}. Confined to one thread at a time; {@link
 * #close()} is idempotent.
 */
public interface RegistrySnapshot extends AutoCloseable {

  /** The registry revision (SOA serial) the snapshot shows. */
  long revision();

  /** The Raft index of the last entry applied when the snapshot was taken. */
  long appliedIndex();

  /** The cluster settings, once the first leader wrote them. */
  Optional<ClusterSettings> settings();

  /** Every published node record, by id. */
  List<NodeRecord> nodes();

  /** Every service, in the store's key order (the UTF-8 bytes of {@code namespace/name}). */
  Cursor<Service> services();

  /** The VIP index from {@code first} to {@code last} inclusive (same family), in address order. */
  Cursor<VipOwner> vips(InetAddress first, InetAddress last);

  /** The change log's bookkeeping as of the snapshot: what it keeps, and since when. */
  ChangeLogState changeLog();

  /**
   * Every change record after {@code revision} up to {@link #revision()}, in revision order
   * (records of one revision by service key). Complete only if {@code revision >=
   * changeLog().oldestRevision()}; older records have been pruned.
   */
  Cursor<ServiceChange> changesAfter(long revision);

  @Override
  void close();
}
