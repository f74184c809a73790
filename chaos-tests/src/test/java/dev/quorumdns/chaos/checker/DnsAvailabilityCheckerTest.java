package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DnsAvailabilityCheckerTest {
  private final DnsAvailabilityChecker checker =
      new DnsAvailabilityChecker(0.95, Duration.ofSeconds(5));

  @Test
  void queriesToDownNodesDoNotCountAndUpNodesAnswer() {
    TestHistory h = new TestHistory();
    h.phase("scenario", "kill-leader");
    for (int i = 0; i < 50; i++) {
      h.dns(1, "n2", "web/a", null);
    }
    String kill = h.fault(FaultKind.KILL_LEADER, "n1");
    for (int i = 0; i < 50; i++) {
      h.dnsFailed(2, "n1", "web/a", "timeout");
      h.dns(1, "n2", "web/a", "240.0.0.1");
    }
    h.heal(kill, FaultKind.KILL_LEADER, "n1");
    h.dnsFailed(2, "n1", "web/a", "SERVFAIL");
    h.advance(Duration.ofSeconds(6));
    h.dns(2, "n1", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(Map.of("kill-leader", 1.0), result.stats().get("byScenario"));
    assertEquals(51L, result.stats().get("excludedNodeDown"));
  }

  @Test
  void upNodeTimingOutDuringLeaderLossIsInvalid() {
    TestHistory h = new TestHistory();
    h.phase("scenario", "pause-leader");
    String pause = h.fault(FaultKind.PAUSE_LEADER, "n1");
    for (int i = 0; i < 20; i++) {
      h.dns(1, "n2", "web/a", "240.0.0.1");
      h.dnsFailed(2, "n3", "web/a", "timeout");
    }
    h.heal(pause, FaultKind.PAUSE_LEADER, "n1");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.INVALID, result.validity());
    assertTrue(
        result.anomalies().stream().anyMatch(a -> a.message().contains("leader-loss")),
        result.anomalies().toString());
    assertEquals(0.5, ((Map<?, ?>) result.stats().get("byScenario")).get("pause-leader"));
  }

  @Test
  void nxdomainForAnAcknowledgedNameIsAWrongAnswer() {
    TestHistory h = new TestHistory();
    h.phase("scenario", "healthy");
    h.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    h.advance(Duration.ofSeconds(2));
    for (int i = 0; i < 20; i++) {
      h.dns(2, "n2", "web/a", "240.0.0.1");
      h.dns(2, "n3", "web/a", null); // n3 lost or never applied an acknowledged registration
    }
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals(20L, result.stats().get("wrongNxdomain"));
    assertEquals(0.5, ((Map<?, ?>) result.stats().get("wrongNxdomainShare")).get("healthy"));
    assertEquals("dns-wrong-nxdomain", result.anomalies().get(0).type());

    // Within the propagation allowance after the acknowledgement: a follower not yet told of the
    // commit, counted apart.
    TestHistory fresh = new TestHistory();
    fresh.phase("scenario", "healthy");
    fresh.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    for (int i = 0; i < 40; i++) {
      fresh.dns(2, "n2", "web/a", "240.0.0.1");
      fresh.dns(2, "n3", "web/a", i < 10 ? null : "240.0.0.1");
    }
    fresh.advance(Duration.ofSeconds(1));
    fresh.dns(2, "n3", "web/a", null);
    CheckResult lagging = checker.check(fresh.history());
    assertEquals(10L, lagging.stats().get("nxdomainWithinPropagation"));
    assertEquals(1L, lagging.stats().get("wrongNxdomain"), "the one a second later is wrong");
    assertEquals(Validity.VALID, lagging.validity(), () -> lagging.anomalies().toString());

    // Not wrong: before the registration's acknowledgement, or while a delete may take effect.
    TestHistory ok = new TestHistory();
    ok.phase("scenario", "healthy");
    Op put = ok.invoke(1, OpKind.REGISTER, "n1", "web/a", "10.1.0.1:8080");
    ok.dns(2, "n3", "web/a", null);
    ok.ok(put, "10.1.0.1:8080", "240.0.0.1", "created");
    Op delete = ok.invoke(1, OpKind.DELETE, "n1", "web/a", null);
    ok.dns(2, "n3", "web/a", null);
    ok.info(delete, "timeout");
    ok.dns(2, "n3", "web/a", null);
    CheckResult fine = checker.check(ok.history());
    assertEquals(Validity.VALID, fine.validity(), () -> fine.anomalies().toString());
    assertEquals(0L, fine.stats().get("wrongNxdomain"));
  }

  @Test
  void nxdomainFromANodeCutOffFromTheLeaderIsStaleNotWrong() {
    // n3 is partitioned away while n1 registers web/a: n3's replica cannot have it yet.
    TestHistory h = new TestHistory();
    h.phase("scenario", "partition");
    String cut = h.fault(FaultKind.PARTITION_LEADER, "n3");
    h.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    for (int i = 0; i < 20; i++) {
      h.dns(2, "n1", "web/a", "240.0.0.1");
      h.dns(2, "n3", "web/a", null);
    }
    h.heal(cut, FaultKind.PARTITION_LEADER, "n3");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(0L, result.stats().get("wrongNxdomain"));
    assertEquals(20L, result.stats().get("staleNxdomainWhileCutOff"));

    // The same answers from a node under no network fault are wrong (the test above); from a node
    // whose disk was full (it could not take new entries) they are stale too while it catches up
    // after the heal (during the fault it is judged as down: it may stop and be restarted).
    TestHistory full = new TestHistory();
    full.phase("scenario", "disk");
    String fill = full.fault(FaultKind.DISK_FULL, "n3");
    full.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    full.advance(Duration.ofSeconds(2));
    full.heal(fill, FaultKind.DISK_FULL, "n3");
    for (int i = 0; i < 20; i++) {
      full.dns(2, "n3", "web/a", null);
    }
    CheckResult disk = checker.check(full.history());
    assertEquals(Validity.VALID, disk.validity(), () -> disk.anomalies().toString());
    assertEquals(20L, disk.stats().get("staleNxdomainWhileCutOff"));
  }

  @Test
  void nxdomainForANameAcknowledgedJustBeforeQuorumLossIsStaleNotWrong() {
    // n1 (leader) and n2 acknowledge web/a; both stop before n3 hears of the commit. n3 serves
    // what it holds, during the fault and while the cluster catches up after it.
    TestHistory h = new TestHistory();
    h.phase("scenario", "quorum-loss");
    h.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    h.advance(Duration.ofMillis(200));
    String kill = h.fault(FaultKind.KILL_MAJORITY, "n1", "n2");
    h.advance(Duration.ofSeconds(2));
    for (int i = 0; i < 20; i++) {
      h.dns(2, "n3", "web/a", null);
    }
    h.heal(kill, FaultKind.KILL_MAJORITY, "n1", "n2");
    h.advance(Duration.ofSeconds(5));
    h.dns(2, "n3", "web/a", null);
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(0L, result.stats().get("wrongNxdomain"));
    assertEquals(21L, result.stats().get("staleNxdomainAfterQuorumLoss"));

    // A name acknowledged well before the quorum was lost was known to every node that was up:
    // denying it is wrong, during the fault as after it.
    TestHistory early = new TestHistory();
    early.phase("scenario", "quorum-loss");
    early.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    early.advance(Duration.ofSeconds(3));
    String stop = early.fault(FaultKind.KILL_MAJORITY, "n1", "n2");
    for (int i = 0; i < 20; i++) {
      early.dns(2, "n3", "web/a", null);
    }
    early.heal(stop, FaultKind.KILL_MAJORITY, "n1", "n2");
    CheckResult wrong = checker.check(early.history());
    assertEquals(Validity.INVALID, wrong.validity());
    assertEquals(20L, wrong.stats().get("wrongNxdomain"));

    // Long after the heal the cluster has a leader again: a denial is wrong once more.
    TestHistory late = new TestHistory();
    late.phase("scenario", "quorum-loss");
    late.put(1, "n1", "web/a", "10.1.0.1:8080", "240.0.0.1", "created");
    String lost = late.fault(FaultKind.KILL_MAJORITY, "n1", "n2");
    late.heal(lost, FaultKind.KILL_MAJORITY, "n1", "n2");
    late.advance(Duration.ofSeconds(25));
    for (int i = 0; i < 20; i++) {
      late.dns(2, "n3", "web/a", null);
    }
    CheckResult after = checker.check(late.history());
    assertEquals(20L, after.stats().get("wrongNxdomain"));
  }

  @Test
  void servfailFromAnUpNodeCountsAsUnanswered() {
    TestHistory h = new TestHistory();
    h.fault(FaultKind.PARTITION_HALVES, "n1");
    h.dnsFailed(1, "n1", "web/a", "SERVFAIL");
    h.info(h.invoke(1, OpKind.RESOLVE_DNS, "n1", "web/a", null), "timeout");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void slowRestartWithinTheBoundIsNotUnavailability() {
    TestHistory h = new TestHistory();
    h.phase("scenario", "restart");
    String kill = h.fault(FaultKind.RESTART_ALL, "n1");
    h.heal(kill, FaultKind.RESTART_ALL, "n1");
    for (int i = 0; i < 4; i++) {
      h.advance(Duration.ofSeconds(1));
      h.dnsFailed(1, "n1", "web/a", i < 2 ? "unreachable" : "SERVFAIL"); // starting, then loading
    }
    h.dns(1, "n1", "web/a", "240.0.0.1");
    h.dns(1, "n1", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(4L, result.stats().get("excludedNodeDown"));
    assertTrue((Long) result.stats().get("slowestBackMillis") >= 4000, result.stats().toString());
  }

  @Test
  void failuresAfterTheNodeAnsweredAgainCount() {
    TestHistory h = new TestHistory();
    String kill = h.fault(FaultKind.KILL_RANDOM, "n1");
    h.heal(kill, FaultKind.KILL_RANDOM, "n1");
    h.dns(1, "n1", "web/a", "240.0.0.1");
    h.dnsFailed(1, "n1", "web/a", "SERVFAIL");
    h.dnsFailed(1, "n1", "web/a", "timeout");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.INVALID, result.validity());
    assertEquals(0L, result.stats().get("excludedNodeDown"));
    // A CI log carries only the messages: they name the node and its failures.
    assertTrue(
        result.anomalies().get(0).message().contains("n1 2 queries from")
            && result.anomalies().get(0).message().contains("(last: timeout)"),
        result.anomalies().get(0).message());
  }

  @Test
  void aNodeSilentPastTheBoundCounts() {
    TestHistory h = new TestHistory();
    String kill = h.fault(FaultKind.KILL_LEADER, "n1");
    h.heal(kill, FaultKind.KILL_LEADER, "n1");
    h.dnsFailed(1, "n1", "web/a", "unreachable");
    h.advance(Duration.ofSeconds(6)); // bound is 5 s
    for (int i = 0; i < 5; i++) {
      h.dnsFailed(1, "n1", "web/a", "unreachable");
    }
    h.dns(1, "n1", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.INVALID, result.validity());
    assertEquals(1L, result.stats().get("excludedNodeDown"));
    assertEquals(1L, result.stats().get("backAfterBound"));
  }

  @Test
  void noQueriesIsUnknown() {
    assertEquals(Validity.UNKNOWN, checker.check(new TestHistory().history()).validity());
  }
}
