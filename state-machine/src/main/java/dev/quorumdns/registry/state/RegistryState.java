package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.store.RocksDbRegistryStore;
import dev.quorumdns.registry.store.StoreChanges;
import dev.quorumdns.registry.store.StoreContents;
import dev.quorumdns.registry.store.StoredMeta;
import dev.quorumdns.registry.store.StoredService;
import dev.quorumdns.registry.store.StoredState;
import dev.quorumdns.registry.store.StoredStateReader;
import dev.quorumdns.registry.vip.VipHold;
import dev.quorumdns.registry.vip.VipPool;
import java.io.IOException;
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
import java.util.concurrent.locks.StampedLock;

/**
 * One replica's registry in memory: the services in a compact {@link ServiceTable}, the rest in
 * concurrent maps. Readers on any thread read without locks; only the apply thread mutates, through
 * {@link #publish}, after the same changes are durable in the store. A walk over all services (a
 * list read) shows the state between two publishes, never part of one applied entry (a batch is all
 * or nothing to readers too): it is checked against {@link #publishing} and walked again if a
 * publish overlapped it.
 */
final class RegistryState {
  private static final Comparator<VipHold> BY_EXPIRY =
      Comparator.comparingLong(VipHold::expiresAtMillis)
          .thenComparing(h -> h.vip().getAddress(), Arrays::compareUnsigned);

  private final ServiceTable services = new ServiceTable();
  private final ConcurrentHashMap<String, Integer> namespaces = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, VipHold> holds = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, NodeRecord> nodes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Lease> leases = new ConcurrentHashMap<>();
  // Apply-thread-only indexes.
  private final TreeSet<VipHold> holdsByExpiry = new TreeSet<>(BY_EXPIRY);
  private final Map<ServiceKey, List<VipHold>> holdsByOwner = new HashMap<>();
  private final Map<Long, Set<ServiceKey>> leaseUsers = new HashMap<>();
  private volatile long held4;
  private volatile long held6;
  private volatile ClusterSettings settings;
  private volatile StoredMeta meta;

  /**
   * Held for writing by {@link #publish}; list reads validate an optimistic stamp and only after a
   * few overlapped walks take it for reading (then the apply thread waits for that one walk). Point
   * reads never touch it.
   */
  private final StampedLock publishing = new StampedLock();

  private RegistryState() {
    this.meta = StoredMeta.EMPTY;
  }

  /**
   * Reads a whole store into a new state, checking it as it goes; nothing is shared until this
   * returns.
   */
  static RegistryState load(RocksDbRegistryStore store) throws IOException {
    RegistryState s = new RegistryState();
    store.load(s.new Loader());
    return s;
  }

  /**
   * Reads raw store contents (a snapshot's, in tests) into a new state, the way {@link #load} reads
   * a store.
   */
  static RegistryState read(StoreContents raw) throws CodecException {
    RegistryState s = new RegistryState();
    StoredStateReader.read(raw, s.new Loader());
    return s;
  }

  /** A state holding what {@code stored} holds (already read and checked elsewhere). */
  static RegistryState of(StoredState stored) {
    RegistryState s = new RegistryState();
    Loader in = s.new Loader();
    in.meta(stored.meta());
    in.settings(stored.settings());
    for (Service svc : stored.services()) {
      if (in.add(ServiceEntry.encode(svc)) != null) {
        throw new IllegalArgumentException("two services hold the VIPs of " + svc.key());
      }
      s.indexLeases(svc.key(), leaseIds(svc), true);
    }
    stored.holds().forEach(in::addHold);
    stored.nodes().forEach(in::addNode);
    stored.leases().forEach(in::addLease);
    return s;
  }

  /** Receives the store's checked values, straight into the indexes. Loading thread only. */
  private final class Loader implements StoredStateReader.Sink {
    @Override
    public void meta(StoredMeta m) {
      meta = m;
    }

    @Override
    public void settings(ClusterSettings s) {
      settings = s;
    }

    @Override
    public void expectServices(long n) {
      services.reserve((int) Math.min(n, 1 << 26));
    }

    @Override
    public ServiceKey addService(StoredService s) {
      ServiceKey holder = add(ServiceEntry.encode(s));
      if (holder == null && s.leaseCount() > 0) {
        indexLeases(s.key(), s.leaseIds(), true);
      }
      return holder;
    }

    ServiceKey add(byte[] entry) {
      byte[] holder = services.add(entry);
      if (holder != null) {
        return ServiceEntry.key(holder);
      }
      namespaces.merge(ServiceEntry.namespace(entry), 1, Integer::sum);
      return null;
    }

    @Override
    public ServiceKey vipOwner(InetAddress vip) {
      byte[] e = services.byVip(vip);
      return e == null ? null : ServiceEntry.key(e);
    }

    @Override
    public long vipCount() {
      return (long) services.withVip4() + services.withVip6();
    }

    @Override
    public void addHold(VipHold h) {
      RegistryState.this.addHold(h);
    }

    @Override
    public void addNode(NodeRecord n) {
      nodes.put(n.id(), n);
    }

    @Override
    public void addLease(Lease l) {
      leases.put(l.id(), l);
    }
  }

  StoredMeta meta() {
    return meta;
  }

  ClusterSettings settings() {
    return settings;
  }

  /** Builds the service from its compact entry (allocates). */
  Service get(ServiceKey key) {
    byte[] e = services.get(key);
    return e == null ? null : ServiceEntry.decode(e);
  }

  /** The revision of the service under {@code key}, or 0. Allocation-free. */
  long revisionOf(ServiceKey key) {
    byte[] e = services.get(key);
    return e == null ? 0 : ServiceEntry.revision(e);
  }

  Service byVip(InetAddress vip) {
    byte[] e = services.byVip(vip);
    return e == null ? null : ServiceEntry.decode(e);
  }

  /** The revision of the service holding {@code vip}, or 0. */
  long revisionOf(InetAddress vip) {
    byte[] e = services.byVip(vip);
    return e == null ? 0 : ServiceEntry.revision(e);
  }

  /** The key of the service holding {@code vip}, or null; cheaper than {@link #byVip}. */
  ServiceKey ownerOf(InetAddress vip) {
    byte[] e = services.byVip(vip);
    return e == null ? null : ServiceEntry.key(e);
  }

  boolean hasNamespace(String namespace) {
    return namespaces.containsKey(namespace);
  }

  /** Every service as of one applied entry, built from the entries (allocates). */
  List<Service> services() {
    List<byte[]> entries = wholeEntries();
    List<Service> out = new ArrayList<>(entries.size());
    for (byte[] e : entries) {
      out.add(ServiceEntry.decode(e));
    }
    return out;
  }

  /**
   * The services of {@code namespace} as of one applied entry, built from their entries
   * (allocates).
   */
  List<Service> services(String namespace) {
    List<Service> out = new ArrayList<>();
    for (byte[] e : wholeEntries()) {
      if (ServiceEntry.inNamespace(e, namespace)) {
        out.add(ServiceEntry.decode(e));
      }
    }
    return out;
  }

  /** Every entry, from a walk no publish overlapped. */
  private List<byte[]> wholeEntries() {
    for (int attempt = 0; attempt < 3; attempt++) {
      long stamp = publishing.tryOptimisticRead();
      if (stamp != 0) {
        List<byte[]> entries = services.entries();
        if (publishing.validate(stamp)) {
          return entries;
        }
      }
    }
    long stamp = publishing.readLock();
    try {
      return services.entries();
    } finally {
      publishing.unlockRead(stamp);
    }
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
    return family == VipPool.Family.IPV4 ? services.withVip4() : services.withVip6();
  }

  long held(VipPool.Family family) {
    return family == VipPool.Family.IPV4 ? held4 : held6;
  }

  /** Makes durable changes visible to readers. Apply thread only. */
  void publish(StoreChanges changes, StoredMeta newMeta) {
    long stamp = publishing.writeLock();
    try {
      publishUnderLock(changes, newMeta);
    } finally {
      publishing.unlockWrite(stamp);
    }
  }

  private void publishUnderLock(StoreChanges changes, StoredMeta newMeta) {
    if (changes.settings() != null) {
      settings = changes.settings();
    }
    // Deletions first, so an address released and re-taken within one batch ends up with its new
    // owner.
    for (Map.Entry<ServiceKey, Service> e : changes.services().entrySet()) {
      if (e.getValue() == null) {
        byte[] old = services.get(e.getKey());
        if (old != null) {
          unindexLeases(old);
          services.remove(old);
          namespaces.computeIfPresent(e.getKey().namespace(), (ns, n) -> n == 1 ? null : n - 1);
        }
      }
    }
    for (Map.Entry<ServiceKey, Service> e : changes.services().entrySet()) {
      Service neu = e.getValue();
      if (neu == null) {
        continue;
      }
      byte[] old = services.get(e.getKey());
      byte[] entry = ServiceEntry.encode(neu);
      if (old != null) {
        unindexLeases(old);
      }
      indexLeases(neu.key(), leaseIds(neu), true);
      if (old != null) {
        services.replace(old, entry);
        continue;
      }
      // The namespace is indexed before the service appears, so it is never NXDOMAIN (which RFC
      // 8020 resolvers
      // take to mean nothing below it exists) once the name resolves.
      namespaces.merge(neu.key().namespace(), 1, Integer::sum);
      byte[] holder = services.add(entry);
      if (holder != null) {
        throw new IllegalStateException(
            neu.key() + " takes a VIP still held by " + ServiceEntry.key(holder));
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

  /** The lease ids the endpoints of {@code s} name, in endpoint order (repeats possible). */
  private static long[] leaseIds(Service s) {
    return s.spec().endpoints().stream()
        .filter(e -> e.lease() != null)
        .mapToLong(Endpoint::lease)
        .toArray();
  }

  /**
   * Takes the service of entry {@code e} out of the lease index (decoded only if it names a lease).
   */
  private void unindexLeases(byte[] e) {
    if (ServiceEntry.leased(e)) {
      Service s = ServiceEntry.decode(e);
      indexLeases(s.key(), leaseIds(s), false);
    }
  }

  /**
   * Adds or removes {@code key} as a user of each lease in {@code ids}. Apply (or loading) thread
   * only.
   */
  private void indexLeases(ServiceKey key, long[] ids, boolean add) {
    for (long id : ids) {
      if (add) {
        leaseUsers.computeIfAbsent(id, x -> new HashSet<>()).add(key);
      } else {
        Set<ServiceKey> users = leaseUsers.get(id);
        if (users != null && users.remove(key) && users.isEmpty()) {
          leaseUsers.remove(id);
        }
      }
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
