package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

/** Members compare by value, so the membership path passes on changes only. */
class MembersTest {
  private static RaftPeer peer(String id, String address) {
    return RaftPeer.newBuilder().setId(id).setAddress(address).build();
  }

  @Test
  void theSameMembersInAnotherOrderAndNewObjectsAreTheSame() {
    RaftRuntime.Members a =
        new RaftRuntime.Members(
            List.of(peer("n1", "h1:9053"), peer("n2", "h2:9053")), List.of(peer("l1", "h3:9053")));
    RaftRuntime.Members b =
        new RaftRuntime.Members(
            List.of(peer("n2", "h2:9053"), peer("n1", "h1:9053")), List.of(peer("l1", "h3:9053")));
    assertTrue(a.sameAs(b));
    assertFalse(a.sameAs(null));
    assertFalse(
        a.sameAs(
            new RaftRuntime.Members(
                List.of(peer("n1", "h1:9053")), List.of(peer("l1", "h3:9053")))),
        "a voter less");
    assertFalse(
        a.sameAs(
            new RaftRuntime.Members(
                List.of(peer("n1", "h1:9053"), peer("n2", "h2:9054")),
                List.of(peer("l1", "h3:9053")))),
        "an address changed");
    assertFalse(
        a.sameAs(
            new RaftRuntime.Members(
                List.of(peer("n1", "h1:9053"), peer("n2", "h2:9053"), peer("l1", "h3:9053")),
                List.of())),
        "a listener became a voter");
  }
}
