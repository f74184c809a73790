package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.cluster.Grudge;
import java.util.List;
import java.util.Optional;

/**
 * What a nemesis may do to a cluster. Implementations are driven from the nemesis thread only; the
 * leader lookup may be called from any thread.
 */
public interface ClusterControl {
  /** In a node's log line when it stops itself as removed from the cluster. */
  String STOPPED_AS_REMOVED = "was removed from the cluster";

  List<String> ids();

  /** The current leader as the nodes report it, if any node knows one. */
  Optional<String> leader();

  void kill(String id);

  /**
   * True when the node answers its readiness probe (up, and caught up or serving without leader).
   */
  boolean ready(String id);

  /** Starts the node process again (after {@link #kill}). */
  void start(String id);

  /** SIGSTOP of the node process. */
  void freeze(String id);

  /** SIGCONT after {@link #freeze}. */
  void thaw(String id);

  /** {@code docker pause} of the node's container. */
  void pauseContainer(String id);

  void unpauseContainer(String id);

  void partition(Grudge grudge);

  void packetLoss(double probability);

  /** Removes every network fault. */
  void healNetwork();

  /** Removes {@code id} from the Raft group through another member's HTTP API. */
  void removeMember(String id);

  /**
   * Adds {@code id} back as a voter through another member's HTTP API, from an empty data
   * directory; a joiner that stops itself as removed before that completes is started afresh.
   */
  void addMember(String id);

  /**
   * How many lines of the node's log (all its runs) contain {@code text}; -1 when logs cannot be
   * read. Lets a nemesis see what a node did (e.g. finished installing a snapshot).
   */
  default int logCount(String id, String text) {
    return -1;
  }
}
