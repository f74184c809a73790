package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.store.StoreChanges;
import dev.quorumdns.registry.vip.VipHold;
import dev.quorumdns.registry.vip.VipOccupancy;
import dev.quorumdns.registry.vip.VipPool;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The changes of one log entry, staged over the current state so that a refused command (or batch)
 * can be dropped whole. Reads see the staged changes. Apply thread only.
 */
final class Txn implements VipOccupancy {
  private final RegistryState base;
  private final Txn parent;
  private final long now;
  // A null value stages a deletion. Insertion order is deterministic because apply is.
  private final Map<ServiceKey, Service> services = new LinkedHashMap<>();
  private final Map<InetAddress, ServiceKey> vips = new LinkedHashMap<>();
  private final Map<InetAddress, VipHold> holds = new LinkedHashMap<>();
  private final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
  private final Map<Long, Lease> leases = new LinkedHashMap<>();
  private ClusterSettings settings;
  private long used4Delta;
  private long used6Delta;
  private long held4Delta;
  private long held6Delta;

  Txn(RegistryState base, long now) {
    this(base, null, now);
  }

  private Txn(RegistryState base, Txn parent, long now) {
    this.base = base;
    this.parent = parent;
    this.now = now;
  }

  /**
   * A transaction staged over this one, for one command of a group: kept with {@link
   * #mergeIntoParent}.
   */
  Txn child() {
    return new Txn(base, this, now);
  }

  /** Moves this child's staged changes into its parent. */
  void mergeIntoParent() {
    parent.services.putAll(services);
    parent.vips.putAll(vips);
    parent.holds.putAll(holds);
    parent.nodes.putAll(nodes);
    parent.leases.putAll(leases);
    if (settings != null) {
      parent.settings = settings;
    }
    parent.used4Delta += used4Delta;
    parent.used6Delta += used6Delta;
    parent.held4Delta += held4Delta;
    parent.held6Delta += held6Delta;
  }

  /** Log time of the entry being applied. */
  long now() {
    return now;
  }

  ClusterSettings settings() {
    return settings != null ? settings : parent != null ? parent.settings() : base.settings();
  }

  void setSettings(ClusterSettings s) {
    settings = s;
  }

  /** Releases every hold-down that has expired by log time {@link #now()}. */
  void expireHolds() {
    for (VipHold h : base.holdsByExpiry()) {
      if (h.activeAt(now)) {
        return;
      }
      removeHold(h.vip());
    }
  }

  Service service(ServiceKey key) {
    if (services.containsKey(key)) {
      return services.get(key);
    }
    return parent != null ? parent.service(key) : base.get(key);
  }

  void putService(Service neu) {
    Service old = service(neu.key());
    services.put(neu.key(), neu);
    if (old != null) {
      unindex(old);
    }
    if (neu.vip4() != null) {
      vips.put(neu.vip4(), neu.key());
      used4Delta++;
    }
    if (neu.vip6() != null) {
      vips.put(neu.vip6(), neu.key());
      used6Delta++;
    }
  }

  void removeService(Service old) {
    services.put(old.key(), null);
    unindex(old);
  }

  private void unindex(Service old) {
    if (old.vip4() != null) {
      vips.put(old.vip4(), null);
      used4Delta--;
    }
    if (old.vip6() != null) {
      vips.put(old.vip6(), null);
      used6Delta--;
    }
  }

  NodeRecord node(String id) {
    if (nodes.containsKey(id)) {
      return nodes.get(id);
    }
    return parent != null ? parent.node(id) : base.node(id);
  }

  void putNode(NodeRecord n) {
    nodes.put(n.id(), n);
  }

  void removeNode(String id) {
    nodes.put(id, null);
  }

  Lease lease(long id) {
    if (leases.containsKey(id)) {
      return leases.get(id);
    }
    return parent != null ? parent.lease(id) : base.lease(id);
  }

  void putLease(Lease l) {
    leases.put(l.id(), l);
  }

  void removeLease(long id) {
    leases.put(id, null);
  }

  /**
   * The services that hold an endpoint with lease {@code id}, staged changes included, in key
   * order: those the state knows of, less or plus those this transaction (and its parents) changed.
   */
  SortedSet<ServiceKey> leaseUsers(long id) {
    SortedSet<ServiceKey> out = new TreeSet<>(base.leaseUsers(id));
    restage(id, out);
    return out;
  }

  private void restage(long id, SortedSet<ServiceKey> users) {
    if (parent != null) {
      parent.restage(id, users);
    }
    for (Map.Entry<ServiceKey, Service> e : services.entrySet()) {
      if (e.getValue() != null && usesLease(e.getValue(), id)) {
        users.add(e.getKey());
      } else {
        users.remove(e.getKey());
      }
    }
  }

  static boolean usesLease(Service s, long id) {
    for (Endpoint e : s.spec().endpoints()) {
      if (e.lease() != null && e.lease() == id) {
        return true;
      }
    }
    return false;
  }

  void putHold(VipHold h) {
    if (holdOn(h.vip()) == null) {
      adjustHeld(h.vip(), 1);
    }
    holds.put(h.vip(), h);
  }

  void removeHold(InetAddress vip) {
    if (holdOn(vip) != null) {
      adjustHeld(vip, -1);
      holds.put(vip, null);
    }
  }

  private void adjustHeld(InetAddress vip, int delta) {
    if (VipPool.Family.of(vip) == VipPool.Family.IPV4) {
      held4Delta += delta;
    } else {
      held6Delta += delta;
    }
  }

  @Override
  public ServiceKey ownerOf(InetAddress vip) {
    if (vips.containsKey(vip)) {
      return vips.get(vip);
    }
    if (parent != null) {
      return parent.ownerOf(vip);
    }
    return base.ownerOf(vip);
  }

  @Override
  public VipHold holdOn(InetAddress vip) {
    if (holds.containsKey(vip)) {
      return holds.get(vip);
    }
    return parent != null ? parent.holdOn(vip) : base.hold(vip);
  }

  @Override
  public List<VipHold> holdsFor(ServiceKey owner, VipPool.Family family) {
    List<VipHold> out = new ArrayList<>();
    List<VipHold> inherited = parent != null ? parent.holdsFor(owner, family) : base.holdsOf(owner);
    for (VipHold h : inherited) {
      if (VipPool.Family.of(h.vip()) == family && !holds.containsKey(h.vip())) {
        out.add(h);
      }
    }
    for (VipHold h : holds.values()) {
      if (h != null && h.previousOwner().equals(owner) && VipPool.Family.of(h.vip()) == family) {
        out.add(h);
      }
    }
    return out;
  }

  @Override
  public long used(VipPool.Family family) {
    long inherited = parent != null ? parent.used(family) : base.used(family);
    return inherited + (family == VipPool.Family.IPV4 ? used4Delta : used6Delta);
  }

  @Override
  public long held(VipPool.Family family) {
    long inherited = parent != null ? parent.held(family) : base.held(family);
    return inherited + (family == VipPool.Family.IPV4 ? held4Delta : held6Delta);
  }

  StoreChanges changes() {
    return new StoreChanges(services, vips, holds, nodes, settings, leases);
  }
}
