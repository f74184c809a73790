package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ClusterSettings;
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

/**
 * The changes of one log entry, staged over the current state so that a refused command (or batch) can be
 * dropped whole. Reads see the staged changes. Apply thread only.
 */
final class Txn implements VipOccupancy {
  private final RegistryState base;
  private final long now;
  // A null value stages a deletion. Insertion order is deterministic because apply is.
  private final Map<ServiceKey, Service> services = new LinkedHashMap<>();
  private final Map<InetAddress, ServiceKey> vips = new LinkedHashMap<>();
  private final Map<InetAddress, VipHold> holds = new LinkedHashMap<>();
  private final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
  private ClusterSettings settings;
  private long used4Delta;
  private long used6Delta;
  private long held4Delta;
  private long held6Delta;

  Txn(RegistryState base, long now) {
    this.base = base;
    this.now = now;
  }

  /** Log time of the entry being applied. */
  long now() {
    return now;
  }

  ClusterSettings settings() {
    return settings != null ? settings : base.settings();
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
    return services.containsKey(key) ? services.get(key) : base.get(key);
  }

  void putService(Service neu) {
    Service old = service(neu.key());
    services.put(neu.key(), neu);
    if (old != null) {
      unindex(old);
    }
    vips.put(neu.vip4(), neu.key());
    used4Delta++;
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
    vips.put(old.vip4(), null);
    used4Delta--;
    if (old.vip6() != null) {
      vips.put(old.vip6(), null);
      used6Delta--;
    }
  }

  NodeRecord node(String id) {
    return nodes.containsKey(id) ? nodes.get(id) : base.node(id);
  }

  void putNode(NodeRecord n) {
    nodes.put(n.id(), n);
  }

  void removeNode(String id) {
    nodes.put(id, null);
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
    Service s = base.byVip(vip);
    return s == null ? null : s.key();
  }

  @Override
  public VipHold holdOn(InetAddress vip) {
    return holds.containsKey(vip) ? holds.get(vip) : base.hold(vip);
  }

  @Override
  public List<VipHold> holdsFor(ServiceKey owner, VipPool.Family family) {
    List<VipHold> out = new ArrayList<>();
    for (VipHold h : base.holdsOf(owner)) {
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
    return base.used(family) + (family == VipPool.Family.IPV4 ? used4Delta : used6Delta);
  }

  @Override
  public long held(VipPool.Family family) {
    return base.held(family) + (family == VipPool.Family.IPV4 ? held4Delta : held6Delta);
  }

  StoreChanges changes() {
    return new StoreChanges(services, vips, holds, nodes, settings);
  }
}
