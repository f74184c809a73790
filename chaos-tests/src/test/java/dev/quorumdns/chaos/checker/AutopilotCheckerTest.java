package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.history.ClusterView;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutopilotCheckerTest {
  private final AutopilotChecker checker = new AutopilotChecker(AutopilotRules.CHAOS);

  /** One leader poll, 500 ms after the last. */
  private static void poll(TestHistory h, String leader, String members) {
    h.advance(Duration.ofMillis(500));
    var invoke = h.invoke(ClusterView.PROCESS, OpKind.CLUSTER_STATUS, leader, null, null);
    h.ok(invoke, "leader=" + leader + ";term=3;members=" + members, null, "ok");
  }

  private static TestHistory started() {
    TestHistory h = new TestHistory();
    h.phase("scenario", AutopilotChecker.SCENARIO);
    return h;
  }

  private static List<String> types(CheckResult r) {
    return r.anomalies().stream().map(Anomaly::type).toList();
  }

  @Test
  void joinsPromotionsADeadRemovalAndALeaveAreValid() {
    TestHistory h = started();
    String three = "n1:voter:healthy:0,n2:voter:healthy:10,n3:voter:healthy:10";
    poll(h, "n1", three);
    String join = h.fault(FaultKind.MEMBER_JOIN, "n4", "n5");
    poll(h, "n1", three + ",n4:listener:healthy:10,n5:listener:healthy:10");
    String five = three + ",n4:voter:healthy:10,n5:voter:";
    poll(h, "n1", five + "healthy:10");
    h.heal(join, FaultKind.MEMBER_JOIN, "n4", "n5");
    String dead = h.fault(FaultKind.MEMBER_DEAD, "n5");
    for (long contact = 500; contact <= 45_000; contact += 500) {
      poll(h, "n1", five + "unhealthy:" + contact);
    }
    poll(h, "n1", three + ",n4:voter:healthy:10");
    poll(h, "n1", three + ",n4:listener:healthy:10");
    h.heal(dead, FaultKind.MEMBER_DEAD, "n5");
    String leave = h.fault(FaultKind.MEMBER_LEAVE, "n4");
    poll(h, "n1", three);
    h.heal(leave, FaultKind.MEMBER_LEAVE, "n4");

    CheckResult r = checker.check(h.history());
    assertEquals(Validity.VALID, r.validity(), r::toString);
    assertEquals(2, r.stats().get("promotions"));
    assertEquals(1, r.stats().get("demotions"));
    assertEquals(1, r.stats().get("autopilotRemovals"));
    assertEquals(1, r.stats().get("explicitRemovals"));
    assertEquals(5, r.stats().get("maxVoters"));
  }

  @Test
  void moreVotersThanTheMaximumAreAnAnomaly() {
    TestHistory h = started();
    StringBuilder seven = new StringBuilder("n1:voter:healthy:0");
    for (int i = 2; i <= 7; i++) {
      seven.append(",n").append(i).append(":voter:healthy:10");
    }
    poll(h, "n1", seven.toString());
    CheckResult r = checker.check(h.history());
    assertEquals(Validity.INVALID, r.validity());
    assertTrue(types(r).contains("too-many-voters"), r::toString);
  }

  @Test
  void fourVotersPastTheSettleTimeAreAnAnomalyButNotBriefly() {
    String four = "n1:voter:healthy:0,n2:voter:healthy:10,n3:voter:healthy:10,n4:voter:healthy:10";
    TestHistory brief = started();
    for (int i = 0; i < 6; i++) {
      poll(brief, "n1", four);
    }
    poll(brief, "n1", four.replace("n4:voter", "n4:listener"));
    assertEquals(Validity.VALID, checker.check(brief.history()).validity());

    TestHistory stuck = started();
    for (int i = 0; i < 50; i++) {
      poll(stuck, "n1", four);
    }
    CheckResult r = checker.check(stuck.history());
    assertEquals(List.of("even-voters"), types(r), r::toString);
  }

  @Test
  void aDeadVoterKeptPastDeadAfterIsAnAnomalyUnlessRemovingItWouldCostTheQuorum() {
    TestHistory kept = started();
    poll(
        kept,
        "n1",
        "n1:voter:healthy:0,n2:voter:healthy:10,n3:voter:healthy:10,n4:voter:healthy:10,"
            + "n5:voter:unhealthy:70000");
    CheckResult r = checker.check(kept.history());
    assertEquals(List.of("dead-member-kept"), types(r), r::toString);

    TestHistory hostage = started();
    poll(hostage, "n1", "n1:voter:healthy:0,n2:voter:unhealthy:70000,n3:voter:unhealthy:3000");
    assertEquals(Validity.VALID, checker.check(hostage.history()).validity());
  }

  @Test
  void aHealthyMemberRemovedWithoutBeingAskedIsAnAnomaly() {
    String three = "n1:voter:healthy:0,n2:voter:healthy:10,n3:voter:healthy:10";
    TestHistory early = started();
    poll(early, "n1", three + ",n4:listener:healthy:100");
    poll(early, "n1", three);
    CheckResult r = checker.check(early.history());
    assertEquals(List.of("removed-early"), types(r), r::toString);

    TestHistory asked = started();
    poll(asked, "n1", three + ",n4:listener:healthy:100");
    String leave = asked.fault(FaultKind.MEMBER_LEAVE, "n4");
    poll(asked, "n1", three);
    asked.heal(leave, FaultKind.MEMBER_LEAVE, "n4");
    assertEquals(Validity.VALID, checker.check(asked.history()).validity());
  }

  @Test
  void twoMembersRemovedAtOnceAreAnAnomaly() {
    String three = "n1:voter:healthy:0,n2:voter:healthy:10,n3:voter:healthy:10";
    TestHistory h = started();
    poll(h, "n1", three + ",n4:listener:unhealthy:50000,n5:listener:unhealthy:50000");
    poll(h, "n1", three);
    CheckResult r = checker.check(h.history());
    assertEquals(List.of("two-removals"), types(r), r::toString);
  }

  @Test
  void aScriptThatDidNotFinishIsAnAnomaly() {
    TestHistory h = started();
    poll(h, "n1", "n1:voter:healthy:0,n2:voter:healthy:10,n3:voter:healthy:10");
    h.phase(AutopilotChecker.FAILED, "timed out waiting for autopilot promoting [n4, n5]");
    CheckResult r = checker.check(h.history());
    assertEquals(List.of("script-failed"), types(r), r::toString);
  }

  @Test
  void followerAnswersAreNotJudged() {
    TestHistory h = started();
    h.advance(Duration.ofMillis(500));
    var invoke = h.invoke(ClusterView.PROCESS, OpKind.CLUSTER_STATUS, "n2", null, null);
    h.ok(
        invoke,
        "leader=n1;term=3;members=n1:voter:?:-,n2:voter:?:-,n3:voter:?:-,n4:voter:?:-",
        null,
        "ok");
    assertEquals(Validity.UNKNOWN, checker.check(h.history()).validity());
  }

  @Test
  void aRunWithoutTheScenarioIsValidAndOneWithoutPollsUnknown() {
    TestHistory none = new TestHistory();
    none.phase("scenario", "kill");
    none.status(1, "n1", 5);
    CheckResult r = checker.check(none.history());
    assertEquals(Validity.VALID, r.validity());
    assertEquals(0, r.stats().get("leaderPolls"));

    assertEquals(Validity.UNKNOWN, checker.check(started().history()).validity());
  }
}
