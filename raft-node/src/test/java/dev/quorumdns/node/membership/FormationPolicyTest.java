package dev.quorumdns.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.membership.FormationPolicy.Self;
import dev.quorumdns.node.membership.FormationPolicy.Step;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import dev.quorumdns.node.runtime.FormationInfo.Phase;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The formation rule, one situation at a time. */
class FormationPolicyTest {
  private static final Self N2 = new Self("n2", "h2:9053", "quorumdns", 3);
  private static final List<Peer> P123 = peers("n1", "n2", "n3");

  static Peer peer(String id) {
    return new Peer(id, "h" + id.substring(1) + ":9053");
  }

  static List<Peer> peers(String... ids) {
    return Arrays.stream(ids).map(FormationPolicyTest::peer).toList();
  }

  static FormationInfo discovering(String id, List<Peer> proposal) {
    return new FormationInfo(
        id,
        "quorumdns",
        peer(id).raft(),
        null,
        3,
        Phase.DISCOVERING,
        null,
        proposal,
        null,
        List.of(),
        List.of(),
        false,
        "");
  }

  static FormationInfo locked(String id, List<Peer> founders) {
    return new FormationInfo(
        id,
        "quorumdns",
        peer(id).raft(),
        null,
        3,
        Phase.LOCKED,
        founders,
        founders,
        null,
        List.of(),
        List.of(),
        false,
        "");
  }

  static FormationInfo member(String id, List<Peer> founders, String leader, List<Peer> voters) {
    return new FormationInfo(
        id,
        "quorumdns",
        peer(id).raft(),
        null,
        3,
        Phase.MEMBER,
        founders,
        founders,
        leader,
        voters,
        List.of(),
        true,
        "");
  }

  @Test
  void waitsUntilItHasSeenBootstrapExpectNodes() {
    Step s = FormationPolicy.decide(N2, null, List.of(discovering("n1", null)), true);
    Step.Wait w = assertInstanceOf(Step.Wait.class, s);
    assertNull(w.proposal());
    assertTrue(w.reason().contains("found 2 of 3"), w.reason());
  }

  @Test
  void proposesTheSmallestIdsAndLocksOnlyWhenEveryCandidateProposesTheSame() {
    Step first =
        FormationPolicy.decide(
            N2,
            null,
            List.of(discovering("n1", null), discovering("n3", null), discovering("n4", null)),
            true);
    assertEquals(P123, assertInstanceOf(Step.Wait.class, first).proposal());
    Step agreed =
        FormationPolicy.decide(
            N2,
            null,
            List.of(discovering("n1", P123), discovering("n3", P123), discovering("n4", P123)),
            true);
    assertEquals(P123, assertInstanceOf(Step.Lock.class, agreed).founders());
  }

  @Test
  void anIncompleteRoundNeverLocks() {
    Step s =
        FormationPolicy.decide(
            N2, null, List.of(discovering("n1", P123), discovering("n3", P123)), false);
    assertTrue(
        assertInstanceOf(Step.Wait.class, s).reason().contains("not every retry-join address"));
  }

  @Test
  void aNodeOutsideTheProposalWaitsToJoin() {
    Self n4 = new Self("n4", "h4:9053", "quorumdns", 3);
    Step s =
        FormationPolicy.decide(
            n4,
            null,
            List.of(discovering("n1", P123), discovering("n2", P123), discovering("n3", P123)),
            true);
    Step.Wait w = assertInstanceOf(Step.Wait.class, s);
    assertEquals(P123, w.proposal());
    assertTrue(w.reason().contains("joins the cluster they form"), w.reason());
  }

  @Test
  void adoptsTheSmallestLockedSetOverItsOwnView() {
    List<Peer> p234 = peers("n2", "n3", "n4");
    Step s =
        FormationPolicy.decide(
            N2,
            null,
            List.of(locked("n3", p234), discovering("n1", P123), discovering("n4", p234)),
            true);
    assertEquals(
        p234, assertInstanceOf(Step.Wait.class, s).proposal(), "n1 still proposes another set");
  }

  @Test
  void foundsOnceEveryFounderLockedOrStartedWithTheSameSet() {
    Step s =
        FormationPolicy.decide(
            N2, P123, List.of(locked("n1", P123), member("n3", P123, null, P123)), true);
    assertEquals(P123, assertInstanceOf(Step.Found.class, s).founders());
    Step waiting =
        FormationPolicy.decide(
            N2, P123, List.of(locked("n1", P123), discovering("n3", P123)), true);
    assertTrue(assertInstanceOf(Step.Wait.class, waiting).reason().contains("waiting for n3"));
  }

  @Test
  void aLockedSetThatCanNeverStartIsLeftForTheClusterThatFormed() {
    List<Peer> p012 = peers("n0", "n1", "n2");
    Step noCluster =
        FormationPolicy.decide(N2, P123, List.of(locked("n1", p012), locked("n3", P123)), true);
    assertTrue(
        assertInstanceOf(Step.Wait.class, noCluster).reason().contains("can never all start"));
    FormationInfo leader = member("n0", p012, "n0", p012);
    Step join =
        FormationPolicy.decide(N2, P123, List.of(member("n1", p012, "n0", p012), leader), true);
    assertEquals(leader, assertInstanceOf(Step.Join.class, join).via());
  }

  @Test
  void joinsAClusterWithALeaderInsteadOfFoundingOne() {
    FormationInfo follower = member("n1", null, "n3", peers("n1", "n3", "n5"));
    FormationInfo leader = member("n3", null, "n3", peers("n1", "n3", "n5"));
    Step s =
        FormationPolicy.decide(N2, null, List.of(follower, leader, discovering("n4", null)), true);
    assertEquals(
        leader, assertInstanceOf(Step.Join.class, s).via(), "the leader's own view is preferred");
  }

  @Test
  void ignoresOtherClustersAndRefusesDuplicateIds() {
    FormationInfo other =
        new FormationInfo(
            "n1",
            "elsewhere",
            "h1:9053",
            null,
            3,
            Phase.MEMBER,
            null,
            null,
            "n1",
            peers("n1"),
            List.of(),
            true,
            "");
    assertInstanceOf(Step.Wait.class, FormationPolicy.decide(N2, null, List.of(other), true));
    FormationInfo twin =
        new FormationInfo(
            "n1",
            "quorumdns",
            "other:9053",
            null,
            3,
            Phase.DISCOVERING,
            null,
            null,
            null,
            List.of(),
            List.of(),
            false,
            "");
    Step s =
        FormationPolicy.decide(
            N2, null, List.of(discovering("n1", null), twin, discovering("n3", null)), true);
    assertTrue(assertInstanceOf(Step.Wait.class, s).reason().contains("ids must be unique"));
  }

  @Test
  void withoutBootstrapExpectItOnlyJoins() {
    Self joiner = new Self("n9", "h9:9053", "quorumdns", 0);
    Step s = FormationPolicy.decide(joiner, null, List.of(discovering("n1", null)), true);
    assertTrue(assertInstanceOf(Step.Wait.class, s).reason().contains("no bootstrap-expect"));
  }

  @Test
  void bootstrapExpectOneFoundsAlone() {
    Self alone = new Self("n1", "h1:9053", "quorumdns", 1);
    assertEquals(
        peers("n1"),
        assertInstanceOf(Step.Lock.class, FormationPolicy.decide(alone, null, List.of(), true))
            .founders());
    assertEquals(
        peers("n1"),
        assertInstanceOf(
                Step.Found.class, FormationPolicy.decide(alone, peers("n1"), List.of(), true))
            .founders());
  }
}
