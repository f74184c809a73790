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
}
