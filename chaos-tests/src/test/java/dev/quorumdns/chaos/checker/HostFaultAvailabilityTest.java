package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How DNS availability judges the host faults: a node that refuses to start on a corrupt disk (and
 * is wiped and re-added before the fault ends) is down, not failing, and so is one whose Raft log
 * failed on a full disk (it stops once space returns and is started again); a node with a moved
 * clock is up and must answer.
 */
@Timeout(30)
class HostFaultAvailabilityTest {
  private final DnsAvailabilityChecker checker =
      new DnsAvailabilityChecker(0.95, Duration.ofSeconds(5));

  @Test
  void aNodeRefusingToStartOnACorruptDiskIsDownUntilReAdded() {
    TestHistory h = new TestHistory();
    h.phase("scenario", "disk");
    String corrupt = h.fault(FaultKind.DISK_CORRUPT, "n2");
    for (int i = 0; i < 40; i++) {
      h.dnsFailed(2, "n2", "web/a", "unreachable");
      h.dns(1, "n1", "web/a", "240.0.0.1");
      h.advance(Duration.ofSeconds(1));
    }
    h.heal(corrupt, FaultKind.DISK_CORRUPT, "n2");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(40L, result.stats().get("excludedNodeDown"));
    assertEquals(1.0, ((Map<?, ?>) result.stats().get("byCondition")).get("minority-down"));
  }

  @Test
  void aNodeStoppedByAFullDiskIsDownUntilItAnswersAgain() {
    // Its Raft log failed on the full disk: the node stops once space returns and the heal starts
    // it again, so like a killed node it is down until it answers; after that it counts.
    TestHistory h = new TestHistory();
    h.phase("scenario", "disk");
    String full = h.fault(FaultKind.DISK_FULL, "n3");
    for (int i = 0; i < 20; i++) {
      h.dns(1, "n1", "web/a", "240.0.0.1");
      h.dnsFailed(2, "n3", "web/a", "unreachable");
    }
    h.heal(full, FaultKind.DISK_FULL, "n3");
    h.dns(2, "n3", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(20L, result.stats().get("excludedNodeDown"));

    for (int i = 0; i < 20; i++) {
      h.dnsFailed(2, "n3", "web/a", "unreachable");
    }
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void aNodeWithAMovedClockStillAnswersDns() {
    TestHistory h = new TestHistory();
    String bump = h.fault(FaultKind.CLOCK_BUMP, "n1", "n2");
    for (int i = 0; i < 20; i++) {
      h.dns(1, "n1", "web/a", "240.0.0.1");
      h.dnsFailed(2, "n2", "web/a", "timeout");
    }
    h.heal(bump, FaultKind.CLOCK_BUMP, "n1", "n2");
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.INVALID, result.validity());
    assertEquals(0.5, ((Map<?, ?>) result.stats().get("byCondition")).get("clock"));
  }
}
