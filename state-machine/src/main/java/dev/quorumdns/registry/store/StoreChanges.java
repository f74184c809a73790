package dev.quorumdns.registry.store;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.vip.VipHold;
import java.net.InetAddress;
import java.util.Map;

/**
 * What one applied entry changes, as puts (non-null values) and deletes (null values). Maps iterate
 * in a deterministic order. Not thread-safe; built and consumed on the apply thread.
 *
 * @param settings the new cluster settings, or null if unchanged
 * @param leases granted (non-null) and ended (null) leases by id
 */
public record StoreChanges(
    Map<ServiceKey, Service> services,
    Map<InetAddress, ServiceKey> vips,
    Map<InetAddress, VipHold> holds,
    Map<String, NodeRecord> nodes,
    ClusterSettings settings,
    Map<Long, Lease> leases) {
  /** Changes that grant or end no lease. */
  public StoreChanges(
      Map<ServiceKey, Service> services,
      Map<InetAddress, ServiceKey> vips,
      Map<InetAddress, VipHold> holds,
      Map<String, NodeRecord> nodes,
      ClusterSettings settings) {
    this(services, vips, holds, nodes, settings, Map.of());
  }

  public boolean isEmpty() {
    return services.isEmpty()
        && vips.isEmpty()
        && holds.isEmpty()
        && nodes.isEmpty()
        && settings == null
        && leases.isEmpty();
  }
}
