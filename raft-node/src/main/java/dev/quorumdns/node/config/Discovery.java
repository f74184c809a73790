package dev.quorumdns.node.config;

import java.util.List;

/**
 * How a node finds its cluster without a static member list. Immutable.
 *
 * @param bootstrapExpect how many nodes found through {@code retryJoin} form a new cluster
 *     together, or 0: this node only joins a cluster that exists
 * @param retryJoin where to look for members and candidates (their HTTP API): {@code IP[:PORT]}, a
 *     DNS name (A/AAAA) or {@code _service._proto.name} (SRV)
 * @param advertiseRaft the Raft address this node gives others, a host name or an address
 */
public record Discovery(int bootstrapExpect, List<String> retryJoin, HostPort advertiseRaft) {
  public Discovery {
    retryJoin = List.copyOf(retryJoin);
  }

  /**
   * Whether the node finds its cluster itself ({@code bootstrap-expect} or {@code retry-join}
   * given).
   */
  public boolean enabled() {
    return bootstrapExpect > 0 || !retryJoin.isEmpty();
  }
}
