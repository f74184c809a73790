package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.junit.jupiter.api.Test;

class ListenerDemotionTest {
  @Test
  void onlyAFollowerListedAsAListenerAloneIsMoved() {
    assertTrue(ListenerDemotion.due(RaftPeerRole.FOLLOWER, true, false));
    assertFalse(ListenerDemotion.due(RaftPeerRole.FOLLOWER, false, true), "a voter");
    assertFalse(
        ListenerDemotion.due(RaftPeerRole.FOLLOWER, true, true),
        "a listener in a joint configuration whose old half counts it a voter");
    assertFalse(ListenerDemotion.due(RaftPeerRole.FOLLOWER, false, false), "not listed: a joiner");
    assertFalse(ListenerDemotion.due(RaftPeerRole.LISTENER, true, false), "already a listener");
    assertFalse(
        ListenerDemotion.due(RaftPeerRole.LEADER, true, false), "a leader steps down first");
    assertFalse(ListenerDemotion.due(RaftPeerRole.CANDIDATE, true, false));
  }
}
