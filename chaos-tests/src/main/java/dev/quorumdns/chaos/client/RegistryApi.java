package dev.quorumdns.chaos.client;

import java.util.List;

/**
 * The registry's HTTP surface as the workload uses it, addressed by node id. Implementations are
 * thread-safe and never throw for a node's failure: every failure is an {@link Outcome}.
 */
public interface RegistryApi {
  /** PUT /v1/services/{ns}/{name}: ok {@code created}/{@code updated} with VIP and spec. */
  Outcome put(String node, String name, ServiceSpec spec);

  /**
   * PUT asking for a static IPv4 VIP ({@code vip4} in the body): as {@link #put}; a VIP held by or
   * held down for another name is refused (409, a fail).
   */
  default Outcome putWithVip(String node, String name, ServiceSpec spec, String vip4) {
    return Outcome.fail("unsupported", "static VIPs are not supported by " + getClass());
  }

  /**
   * POST /v1/batch: puts {@code spec} on every name of {@code names}, or deletes them all when
   * {@code spec} is null; all or nothing. Ok result {@code applied}; a refusal (one name absent for
   * a delete, ...) is a fail.
   */
  default Outcome batch(String node, List<String> names, ServiceSpec spec) {
    return Outcome.fail("unsupported", "batches are not supported by " + getClass());
  }

  /** DELETE: ok {@code deleted} (with the VIP it had) or {@code not_found}. */
  Outcome delete(String node, String name);

  /** Linearizable GET of one service: ok {@code found} or {@code not_found}. */
  Outcome get(String node, String name);

  /** GET /v1/services[?stale]: ok with the registry (name → VIP and spec) and its revision. */
  Outcome list(String node, boolean stale);

  /** GET /v1/cluster: ok with the node's registry revision; {@code value} carries the leader id. */
  ClusterStatus cluster(String node);
}
