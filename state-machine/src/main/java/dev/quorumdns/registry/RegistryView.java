package dev.quorumdns.registry;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The read model of one replica: what this node's copy of the registry holds right now. This is all
 * the DNS front end sees.
 *
 * <p>Thread-safe and lock-free: any thread may call any method at any time. Each call sees a
 * consistent value (a whole {@link Service}); successive calls may see later states, never earlier
 * ones, except after a snapshot is installed over a lagging replica.
 */
public interface RegistryView {

  /**
   * False until the replica holds a state: loaded from disk, with at least one entry applied (a
   * node joining with an empty data directory holds none until the leader has sent it the
   * registry). DNS answers SERVFAIL, never an authoritative NXDOMAIN, until then.
   */
  boolean isLoaded();

  /** The Raft index of the last entry that changed the registry (the SOA serial); 0 when empty. */
  long revision();

  /** The Raft index of the last entry applied to this replica. */
  long appliedIndex();

  /**
   * The service registered under {@code key}, or null. Built from the replica's compact form on
   * each call (it allocates); a validity check that needs only the revision asks {@link
   * #revisionOf(ServiceKey)}.
   */
  Service get(ServiceKey key);

  /**
   * {@code get(key).revision()}, or 0 if no service is registered under {@code key}. The replica's
   * view answers without building the service (allocation-free); this default builds it.
   */
  default long revisionOf(ServiceKey key) {
    Service s = get(key);
    return s == null ? 0 : s.revision();
  }

  /**
   * {@code byVip(vip).revision()}, or 0 if no service holds {@code vip}; the replica's view:
   * allocation-free for IPv4.
   */
  default long revisionOf(InetAddress vip) {
    Service s = byVip(vip);
    return s == null ? 0 : s.revision();
  }

  /** True if at least one service is registered in {@code namespace} (for empty non-terminals). */
  boolean hasNamespace(String namespace);

  /** The service that holds {@code vip} (IPv4 or IPv6), or null. */
  Service byVip(InetAddress vip);

  /**
   * Every service, in key order, as the replica held them between two applied entries (never part
   * of one, such as half a batch). Copies; not for the DNS hot path.
   */
  List<Service> services();

  /**
   * The services of one namespace, in key order, as of one applied entry like {@link #services()}.
   */
  List<Service> services(String namespace);

  /** How many services are registered. */
  int size();

  /** The published record of node {@code id}, or null. */
  NodeRecord node(String id);

  /** Every published node record, by id. */
  Collection<NodeRecord> nodes();

  /**
   * The ids of the current voting members, as this replica last learnt them from the Raft
   * configuration.
   */
  Set<String> voters();

  /** The cluster-wide settings, once the first leader has written them. */
  Optional<ClusterSettings> settings();
}
