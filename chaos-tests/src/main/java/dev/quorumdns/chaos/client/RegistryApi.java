package dev.quorumdns.chaos.client;

/**
 * The registry's HTTP surface as the workload uses it, addressed by node id. Implementations are
 * thread-safe and never throw for a node's failure: every failure is an {@link Outcome}.
 */
public interface RegistryApi {
  /** PUT /v1/services/{ns}/{name}: ok {@code created}/{@code updated} with VIP and spec. */
  Outcome put(String node, String name, ServiceSpec spec);

  /** DELETE: ok {@code deleted} (with the VIP it had) or {@code not_found}. */
  Outcome delete(String node, String name);

  /** Linearizable GET of one service: ok {@code found} or {@code not_found}. */
  Outcome get(String node, String name);

  /** GET /v1/services[?stale]: ok with the registry (name → VIP and spec) and its revision. */
  Outcome list(String node, boolean stale);

  /** GET /v1/cluster: ok with the node's registry revision; {@code value} carries the leader id. */
  ClusterStatus cluster(String node);
}
