package dev.quorumdns.node.raft;

import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * What the state machine tells the node runtime about Raft. Called on Ratis threads:
 * implementations must return quickly and never block on Raft.
 */
interface RaftEvents {
  /** A leader was elected or lost ({@code leader} null). */
  void leaderChanged(RaftPeerId leader);

  /** This node became leader and has committed an entry of its term. */
  void leaderReady();

  /**
   * This node, as leader, applied the entry at {@code index}: followers should learn it is
   * committed now.
   */
  void appliedAsLeader(long index);

  /** The configuration (members) changed. */
  void configurationChanged(List<RaftPeer> voters, List<RaftPeer> listeners);

  /**
   * Ratis could not write this node's Raft log ({@code index} of the entry, or -1 for a segment
   * operation). Ratis' log worker fails every later write in this process after its first failure,
   * so the log stays unwritable until the process restarts.
   */
  void logFailed(Throwable cause, long index);
}
