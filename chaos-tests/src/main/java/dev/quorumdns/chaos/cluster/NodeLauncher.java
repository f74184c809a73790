package dev.quorumdns.chaos.cluster;

import java.util.List;
import java.util.Map;

/**
 * What runs inside a node's container: extra read-only mounts and the command line of the node
 * process, given every node's address. {@link QuorumDnsLauncher} is the real node; tests use a
 * stand-in. Implementations are immutable.
 */
public interface NodeLauncher {
  /** host path → container path, mounted read-only (in addition to the host's /usr). */
  Map<String, String> mounts();

  /**
   * The argv of the node process for {@code id}; {@code addresses} maps every node id to its IP.
   */
  List<String> command(String id, Map<String, String> addresses);

  /**
   * The argv of a node that joins a running cluster as a new member (its data directory has been
   * wiped); the stand-in has no membership, hence the default.
   */
  default List<String> joinCommand(String id, Map<String, String> addresses) {
    throw new UnsupportedOperationException("this launcher's nodes cannot join a cluster");
  }

  /**
   * The argv of a node that finds its cluster itself through the other nodes' APIs ({@code
   * --retry-join}) and is added by the cluster as a listener; {@code addresses} maps every node id
   * (this one included) to its IP.
   */
  default List<String> retryJoinCommand(String id, Map<String, String> addresses) {
    throw new UnsupportedOperationException("this launcher's nodes cannot find a cluster");
  }

  /** Environment of the node process. */
  default Map<String, String> environment(String id) {
    return Map.of();
  }

  /** Container path → tmpfs options (e.g. {@code size=256m}) of tmpfs mounts in each container. */
  default Map<String, String> tmpfs() {
    return Map.of();
  }
}
