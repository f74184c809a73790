package dev.quorumdns.registry.store;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.vip.VipHold;
import java.util.List;

/** Everything a store holds, as read at start-up or after a snapshot is installed. Immutable. */
public record StoredState(
    StoredMeta meta,
    ClusterSettings settings,
    List<Service> services,
    List<VipHold> holds,
    List<NodeRecord> nodes,
    List<Lease> leases) {
  public StoredState {
    services = List.copyOf(services);
    holds = List.copyOf(holds);
    nodes = List.copyOf(nodes);
    leases = List.copyOf(leases);
  }

  /** A state without leases. */
  public StoredState(
      StoredMeta meta,
      ClusterSettings settings,
      List<Service> services,
      List<VipHold> holds,
      List<NodeRecord> nodes) {
    this(meta, settings, services, holds, nodes, List.of());
  }
}
