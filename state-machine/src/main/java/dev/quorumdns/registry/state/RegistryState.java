package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.store.StoreChanges;
import dev.quorumdns.registry.store.StoredMeta;
import dev.quorumdns.registry.store.StoredState;
import dev.quorumdns.registry.vip.VipHold;
import dev.quorumdns.registry.vip.VipPool;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One replica's registry in memory. Readers on any thread use the concurrent maps without locks; only the
 * apply thread mutates, through {@link #publish}, after the same changes are durable in the store.
 */
final class RegistryState {
  private static final Comparator<VipHold> BY_EXPIRY = Comparator.comparingLong(VipHold::expiresAtMillis)
      .thenComparing(h -> h.vip().getAddress(), Arrays::compareUnsigned);

  private final ConcurrentHashMap<ServiceKey, Service> services = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, Service> byVip = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> namespaces = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, VipHold> holds = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, NodeRecord> nodes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Lease> leases = new ConcurrentHashMap<>();
  // Apply-thread-only indexes.
  private final TreeSet<VipHold> holdsByExpiry = new TreeSet<>(BY_EXPIRY);
  private final Map<ServiceKey, List<VipHold>> holdsByOwner = new HashMap<>();
  private final Map<Long, Set<ServiceKey>> leaseUsers = new HashMap<>();
  private volatile long used4;
  private volatile long used6;
  private volatile long held4;
  private volatile long held6;
  private volatile ClusterSettings settings;
  private volatile StoredMeta meta;

  RegistryState(StoredState stored) {
    this.meta = stored.meta();
    this.settings = stored.settings();
    for (Service s : stored.services()) {
      addService(s);
    }
    for (VipHold h : stored.holds()) {
      addHold(h);
    }
    for (NodeRecord n : stored.nodes()) {
      nodes.put(n.id(), n);
    }
    for (Lease l : stored.leases()) {
      leases.put(l.id(), l);
    }
  }

  StoredMeta meta() {
    return meta;
  }

  ClusterSettings settings() {
    return settings;
  }

  Service get(ServiceKey key) {
    return services.get(key);
  }

  Service byVip(InetAddress vip) {
    return byVip.get(vip);
  }

  boolean hasNamespace(String namespace) {
    return namespaces.containsKey(namespace);
  }

  Collection<Service> services() {
    return services.values();
  }

  int size() {
    return services.size();
  }

  NodeRecord node(String id) {
    return nodes.get(id);
  }

  Collection<NodeRecord> nodes() {
    return nodes.values();
  }

  Lease lease(long id) {
    return leases.get(id);
  }

  Collection<Lease> leases() {
    return leases.values();
  }

  /** The services holding an endpoint with lease {@code id}. Apply thread only. */
  Set<ServiceKey> leaseUsers(long id) {
    return leaseUsers.getOrDefault(id, Set.of());
  }

  VipHold hold(InetAddress vip) {
    return holds.get(vip);
  }

  List<VipHold> holdsOf(ServiceKey owner) {
    return holdsByOwner.getOrDefault(owner, List.of());
  }

  /** Every hold, earliest expiry first. Apply thread only; not changed while a transaction runs. */
  Iterable<VipHold> holdsByExpiry() {
    return holdsByExpiry;
  }

  long used(VipPool.Family family) {
    return family == VipPool.Family.IPV4 ? used4 : used6;
  }

  long held(VipPool.Family family) {
    return family == VipPool.Family.IPV4 ? held4 : held6;
  }

  /** Makes durable changes visible to readers. Apply thread only. */
  void publish(StoreChanges changes, StoredMeta newMeta) {
    if (changes.settings() != null) {
      settings = changes.settings();
    }
    // Deletions first, so an address released and re-taken within one batch ends up with its new owner.
    for (Map.Entry<ServiceKey, Service> e : changes.services().entrySet()) {
      Service old = services.get(e.getKey());
      if (e.getValue() == null && old != null) {
        removeService(old);
      }
    }
    for (Map.Entry<ServiceKey, Service> e : changes.services().entrySet()) {
      Service neu = e.getValue();
      if (neu == null) {
        continue;
      }
      Service old = services.get(e.getKey());
      if (old == null) {
        addService(neu);
      } else {
        replaceService(old, neu);
      }
    }
    for (Map.Entry<InetAddress, VipHold> e : changes.holds().entrySet()) {
      VipHold old = holds.get(e.getKey());
      if (old != null) {
        removeHold(old);
      }
      if (e.getValue() != null) {
        addHold(e.getValue());
      }
    }
    for (Map.Entry<String, NodeRecord> e : changes.nodes().entrySet()) {
      if (e.getValue() == null) {
        nodes.remove(e.getKey());
      } else {
        nodes.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<Long, Lease> e : changes.leases().entrySet()) {
      if (e.getValue() == null) {
        leases.remove(e.getKey());
      } else {
        leases.put(e.getKey(), e.getValue());
      }
    }
    meta = newMeta;
  }

  /**
   * Apply thread only; vips and the namespace are indexed before the service appears, so a PTR never lags an A
   * and its namespace is never NXDOMAIN (which RFC 8020 resolvers take to mean nothing below it exists) once
   * the name resolves.
   */
  private void addService(Service s) {
    if (s.vip4() != null) {
      byVip.put(s.vip4(), s);
      used4++;
    }
    if (s.vip6() != null) {
      byVip.put(s.vip6(), s);
      used6++;
    }
    namespaces.merge(s.key().namespace(), 1, Integer::sum);
    indexLeases(s, true);
    services.put(s.key(), s);
  }

  /** Adds or removes {@code s} as a user of the leases its endpoints name. */
  private void indexLeases(Service s, boolean add) {
    for (Endpoint e : s.spec().endpoints()) {
      if (e.lease() == null) {
        continue;
      }
      if (add) {
        leaseUsers.computeIfAbsent(e.lease(), id -> new HashSet<>()).add(s.key());
      } else {
        Set<ServiceKey> users = leaseUsers.get(e.lease());
        if (users != null && users.remove(s.key()) && users.isEmpty()) {
          leaseUsers.remove(e.lease());
        }
      }
    }
  }

  /** The name never disappears for readers while its record is swapped. */
  private void replaceService(Service old, Service neu) {
    if (neu.vip4() != null) {
      byVip.put(neu.vip4(), neu);
    }
    if (neu.vip6() != null) {
      byVip.put(neu.vip6(), neu);
    }
    indexLeases(old, false);
    indexLeases(neu, true);
    services.put(neu.key(), neu);
    if (old.vip4() != null && !old.vip4().equals(neu.vip4())) {
      byVip.remove(old.vip4(), old);
    }
    if (old.vip6() != null && !old.vip6().equals(neu.vip6())) {
      byVip.remove(old.vip6(), old);
    }
    used4 += (neu.vip4() != null ? 1 : 0) - (old.vip4() != null ? 1 : 0);
    used6 += (neu.vip6() != null ? 1 : 0) - (old.vip6() != null ? 1 : 0);
  }

  private void removeService(Service s) {
    services.remove(s.key());
    namespaces.computeIfPresent(s.key().namespace(), (ns, n) -> n == 1 ? null : n - 1);
    indexLeases(s, false);
    if (s.vip4() != null) {
      byVip.remove(s.vip4(), s);
      used4--;
    }
    if (s.vip6() != null) {
      byVip.remove(s.vip6(), s);
      used6--;
    }
  }

  private void addHold(VipHold h) {
    holds.put(h.vip(), h);
    holdsByExpiry.add(h);
    holdsByOwner.computeIfAbsent(h.previousOwner(), k -> new ArrayList<>(1)).add(h);
    if (VipPool.Family.of(h.vip()) == VipPool.Family.IPV4) {
      held4++;
    } else {
      held6++;
    }
  }

  private void removeHold(VipHold h) {
    holds.remove(h.vip());
    holdsByExpiry.remove(h);
    List<VipHold> own = holdsByOwner.get(h.previousOwner());
    if (own != null) {
      own.remove(h);
      if (own.isEmpty()) {
        holdsByOwner.remove(h.previousOwner());
      }
    }
    if (VipPool.Family.of(h.vip()) == VipPool.Family.IPV4) {
      held4--;
    } else {
      held6--;
    }
  }
}
