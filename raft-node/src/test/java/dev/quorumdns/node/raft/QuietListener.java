package dev.quorumdns.node.raft;

import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** A node runtime's listener for tests that need none: every event is ignored. */
public final class QuietListener implements RaftRuntime.RaftMembershipListener {
  @Override
  public void leaderChanged(RaftPeerId leader) {}

  @Override
  public void leaderReady() {}

  @Override
  public void membersChanged(List<RaftPeer> voters, List<RaftPeer> listeners) {}
}
