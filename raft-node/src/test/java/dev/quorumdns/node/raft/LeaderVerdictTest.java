package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.raft.RaftRuntime.LeaderVerdict;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.LeaderInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The removal check's reading of a leader's group info. From extended chaos run 2024120625: n3,
 * re-added under its old id with an empty data directory, was caught up by the leader from a
 * snapshot listing it and entries removing it; asked while that went on, the leader's settled
 * configuration did not list it, so it stopped itself as removed and the re-add never finished.
 */
class LeaderVerdictTest {

  private static RaftPeerProto peer(String id) {
    return RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(id)).build();
  }

  private static RoleInfoProto leaderReplicatingTo(String... ids) {
    LeaderInfoProto.Builder b = LeaderInfoProto.newBuilder().setTerm(6);
    for (String id : ids) {
      b.addFollowerInfo(ServerRpcProto.newBuilder().setId(peer(id)).setLastRpcElapsedTimeMs(20));
    }
    return RoleInfoProto.newBuilder().setRole(RaftPeerRole.LEADER).setLeaderInfo(b).build();
  }

  private static Optional<RaftConfigurationProto> conf(List<String> peers, List<String> old) {
    RaftConfigurationProto.Builder b = RaftConfigurationProto.newBuilder();
    peers.forEach(p -> b.addPeers(peer(p)));
    old.forEach(p -> b.addOldPeers(peer(p)));
    return Optional.of(b.build());
  }

  @Test
  void aNodeTheLeaderFeedsButDoesNotListIsFedOnly() {
    var settled = conf(List.of("n1", "n2"), List.of());
    RoleInfoProto role = leaderReplicatingTo("n2", "n3");
    // listed while it is behind the leader's commit index (RaftRuntime#leaderListsSelf); after the
    // division closed, or once caught up (CI run short-1854329: an appender Ratis kept for a member
    // removed while it led fed it for good), removed
    assertEquals(LeaderVerdict.FED_ONLY, RaftRuntime.leaderVerdict(role, settled, "n3"));
  }

  @Test
  void aNodeNeitherListedNorFedIsRemoved() {
    var settled = conf(List.of("n1", "n2"), List.of());
    assertEquals(
        LeaderVerdict.NOT_LISTED,
        RaftRuntime.leaderVerdict(leaderReplicatingTo("n2"), settled, "n3"));
    assertEquals(
        LeaderVerdict.LISTED, RaftRuntime.leaderVerdict(leaderReplicatingTo("n2"), settled, "n2"));
  }

  @Test
  void aJointConfigurationOrAFollowerGivesNoVerdict() {
    assertEquals(
        LeaderVerdict.CHANGING,
        RaftRuntime.leaderVerdict(
            leaderReplicatingTo("n2"), conf(List.of("n1", "n2"), List.of("n1", "n2", "n3")), "n3"));
    RoleInfoProto follower = RoleInfoProto.newBuilder().setRole(RaftPeerRole.FOLLOWER).build();
    assertEquals(
        LeaderVerdict.NOT_A_LEADER,
        RaftRuntime.leaderVerdict(follower, conf(List.of("n1"), List.of()), "n3"));
    assertEquals(
        LeaderVerdict.NOT_A_LEADER,
        RaftRuntime.leaderVerdict(leaderReplicatingTo(), Optional.empty(), "n3"));
  }

  @Test
  void aStaleAppenderIsOneToAWantedMemberTheSettledConfigurationLacks() {
    var settled = conf(List.of("n1", "n3"), List.of());
    assertTrue(RaftRuntime.staleAppender(leaderReplicatingTo("n2", "n3"), settled, Set.of("n2")));
    assertFalse(RaftRuntime.staleAppender(leaderReplicatingTo("n3"), settled, Set.of("n2")));
    assertFalse(
        RaftRuntime.staleAppender(leaderReplicatingTo("n2", "n3"), settled, Set.of("n4")),
        "an appender to a peer the change does not add is not what refuses it");
    assertFalse(
        RaftRuntime.staleAppender(
            leaderReplicatingTo("n2", "n3"),
            conf(List.of("n1", "n3"), List.of("n1", "n2", "n3")),
            Set.of("n2")),
        "a joint configuration replicates to the old members");
  }

  /**
   * Extended chaos run 2024120621: the leader n2 had no appender for the listener n4 of its settled
   * configuration (Ratis dropped it when adding n5 failed NOPROGRESS).
   */
  @Test
  void aMemberOfASettledConfigurationWithoutAnAppenderIsUnfed() {
    Set<String> members = Set.of("n1", "n2", "n3", "n4", "n5");
    assertEquals(
        Set.of("n4"),
        RaftRuntime.unfedMembers(true, members, Set.of("n1", "n3", "n5"), "n2"),
        "the dropped listener, never the leader itself");
    assertEquals(
        Set.of(),
        RaftRuntime.unfedMembers(true, members, Set.of("n1", "n3", "n4", "n5"), "n2"),
        "every other member fed");
    assertEquals(
        Set.of(),
        RaftRuntime.unfedMembers(false, members, Set.of("n1"), "n2"),
        "a joint configuration: no verdict while it changes");
    assertEquals(
        Set.of(),
        RaftRuntime.unfedMembers(true, Set.of("n1", "n2"), Set.of("n1", "n3"), "n2"),
        "an extra appender (a joiner being caught up) is not a missing one");
  }

  /**
   * CI run of 2026-12-07 (extended chaos): the leader n3 had no appender for the listener n4 for
   * 150 s; a hand-off tried once per term and refused (a change staging) was never tried again.
   */
  @Test
  void aHandOffIsTriedAgainWhileAMemberStaysUnfed() {
    long retry = TimeUnit.MILLISECONDS.toNanos(RaftRuntime.HAND_OFF_RETRY_MILLIS);
    long now = 1_000 * retry;
    assertTrue(RaftRuntime.handOffDue(true, false, OptionalLong.empty(), now), "first time");
    assertFalse(RaftRuntime.handOffDue(false, false, OptionalLong.empty(), now), "not overdue");
    assertFalse(
        RaftRuntime.handOffDue(true, true, OptionalLong.empty(), now), "one hand-off at a time");
    assertFalse(
        RaftRuntime.handOffDue(true, false, OptionalLong.of(now - retry + 1), now),
        "tried too recently");
    assertTrue(
        RaftRuntime.handOffDue(true, false, OptionalLong.of(now - retry), now),
        "tried again after the retry interval, in the same term");
  }
}
