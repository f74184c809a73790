package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.history.FaultKind;
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
