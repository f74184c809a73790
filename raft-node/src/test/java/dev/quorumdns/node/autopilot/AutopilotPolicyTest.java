package dev.quorumdns.node.autopilot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.autopilot.AutopilotPlan.Change;
import dev.quorumdns.node.config.AutopilotSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The autopilot's rules: one situation per test, members given as the leader would see them. */
class AutopilotPolicyTest {
  private static final AutopilotPolicy POLICY =
      new AutopilotPolicy(new AutopilotSettings(Duration.ofSeconds(10), 5, Duration.ofMinutes(5)));
  private static final Duration STABLE = Duration.ofSeconds(11);

  static MemberView leader(String id) {
    return new MemberView(id, true, true, 0, 0, Duration.ofHours(1));
  }

  static MemberView voter(String id) {
    return new MemberView(id, true, false, 100, 0, STABLE);
  }

  static MemberView listener(String id, Duration healthyFor) {
    return new MemberView(id, false, false, 100, 0, healthyFor);
  }

  static MemberView unreachable(String id, boolean voter, Duration silent) {
    return new MemberView(id, voter, false, silent.toMillis(), 50, null);
  }

  static List<MemberView> members(MemberView... m) {
    return new ArrayList<>(List.of(m));
  }

  @Test
  void threeHealthyVotersNeedNothing() {
    AutopilotPlan p = POLICY.plan(members(leader("n1"), voter("n2"), voter("n3")));
    assertNull(p.change());
    assertEquals("voter (leader)", p.reasons().get("n1"));
    assertEquals("voter, healthy", p.reasons().get("n2"));
  }

  @Test
  void aListenerWaitsForStabilizationAndForASecondOneToKeepTheVotersOdd() {
    AutopilotPlan young =
        POLICY.plan(
            members(leader("n1"), voter("n2"), voter("n3"), listener("n4", Duration.ofSeconds(4))));
    assertNull(young.change());
    assertTrue(
        young.reasons().get("n4").contains("healthy for 4.0s of 10.0s"), young.reasons().get("n4"));
    AutopilotPlan alone =
        POLICY.plan(members(leader("n1"), voter("n2"), voter("n3"), listener("n4", STABLE)));
    assertNull(alone.change());
    assertTrue(
        alone.reasons().get("n4").contains("second healthy listener"), alone.reasons().get("n4"));
    AutopilotPlan pair =
        POLICY.plan(
            members(
                leader("n1"),
                voter("n2"),
                voter("n3"),
                listener("n4", STABLE),
                listener("n5", STABLE)));
    assertEquals(new Change.Promote(List.of("n4", "n5")), pair.change());
  }

  @Test
  void anEvenNumberOfVotersPromotesOneListener() {
    AutopilotPlan p = POLICY.plan(members(leader("n1"), voter("n2"), listener("n3", STABLE)));
    assertEquals(new Change.Promote(List.of("n3")), p.change());
  }

  @Test
  void votersStopAtTheMaximumAndExtraMembersStayListeners() {
    AutopilotPlan p =
        POLICY.plan(
            members(
                leader("n1"),
                voter("n2"),
                voter("n3"),
                voter("n4"),
                voter("n5"),
                listener("n6", STABLE),
                listener("n7", STABLE)));
    assertNull(p.change());
    assertTrue(
        p.reasons().get("n6").contains("5 voters is autopilot-max-voters"), p.reasons().get("n6"));
  }

  @Test
  void fourVotersWithoutAListenerToPromoteBecomeThree() {
    AutopilotPlan p = POLICY.plan(members(leader("n4"), voter("n1"), voter("n2"), voter("n3")));
    assertEquals(new Change.Demote("n3"), p.change(), "the highest id that is not the leader");
    AutopilotPlan two = POLICY.plan(members(leader("n1"), voter("n2")));
    assertNull(two.change(), "two voters are kept: one would leave a single copy of each write");
  }

  @Test
  void aDeadListenerIsRemovedFirstAndOnlyOneChangeAtATime() {
    AutopilotPlan p =
        POLICY.plan(
            members(
                leader("n1"),
                voter("n2"),
                voter("n3"),
                unreachable("n4", false, Duration.ofMinutes(6)),
                unreachable("n5", true, Duration.ofMinutes(7))));
    assertEquals(new Change.Remove("n4"), p.change());
    assertTrue(p.reasons().get("n5").contains("one at a time"), p.reasons().get("n5"));
  }

  @Test
  void aDeadVoterIsRemovedOnlyWhileTheHealthyVotersLeftAreAMajority() {
    AutopilotPlan p =
        POLICY.plan(
            members(leader("n1"), voter("n2"), unreachable("n3", true, Duration.ofMinutes(6))));
    assertEquals(new Change.Remove("n3"), p.change());
    AutopilotPlan fiveWithOneDown =
        POLICY.plan(
            members(
                leader("n1"),
                voter("n2"),
                voter("n3"),
                unreachable("n4", true, Duration.ofMinutes(6)),
                unreachable("n5", true, Duration.ofMinutes(1))));
    assertEquals(
        new Change.Remove("n4"), fiveWithOneDown.change(), "3 healthy of the 4 voters left");
    AutopilotPlan notYet =
        POLICY.plan(
            members(leader("n1"), voter("n2"), unreachable("n3", true, Duration.ofMinutes(4))));
    assertNull(notYet.change(), "not dead before dead-after");
    assertTrue(notYet.reasons().get("n3").contains("not healthy"), notYet.reasons().get("n3"));
  }

  @Test
  void removalNeverLeavesFewerHealthyVotersThanAMajority() {
    AutopilotPlan p =
        POLICY.plan(
            members(
                leader("n1"),
                unreachable("n2", true, Duration.ofMinutes(1)),
                unreachable("n3", true, Duration.ofMinutes(6)),
                voter("n4"),
                unreachable("n5", true, Duration.ofMinutes(1))));
    assertNull(p.change());
    assertTrue(
        p.reasons().get("n3").contains("would leave 2 healthy of 4 voters, fewer than a majority"),
        p.reasons().get("n3"));
  }

  @Test
  void withStaticMembersAndNoAutopilotKeyItOnlyWatches() {
    AutopilotPolicy watching =
        new AutopilotPolicy(
            new AutopilotSettings(Duration.ofSeconds(10), 5, Duration.ofMinutes(5), false));
    AutopilotPlan p =
        watching.plan(
            members(
                leader("n1"),
                voter("n2"),
                unreachable("n3", true, Duration.ofDays(1)),
                listener("n4", STABLE),
                listener("n5", STABLE)));
    assertNull(p.change());
    assertTrue(p.decision().startsWith("watching only"), p.decision());
    assertTrue(
        p.reasons().get("n3").contains("not healthy"), "health is still reported: " + p.reasons());
  }

  @Test
  void deadAfterZeroNeverRemoves() {
    AutopilotPolicy off =
        new AutopilotPolicy(new AutopilotSettings(Duration.ofSeconds(10), 5, Duration.ZERO));
    assertNull(
        off.plan(members(leader("n1"), voter("n2"), unreachable("n3", true, Duration.ofDays(1))))
            .change());
  }
}
