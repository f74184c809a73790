package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ConvergenceCheckerTest {
  private final ConvergenceChecker checker = new ConvergenceChecker(Duration.ofSeconds(2));

  @Test
  void allNodesReachOneRevisionWithinTheBound() {
    TestHistory h = new TestHistory();
    h.phase("heal", null);
    h.status(1, "n1", 10);
    h.status(1, "n2", 8);
    h.status(1, "n3", 10);
    h.advance(Duration.ofMillis(300));
    h.status(1, "n2", 10);
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(10L, result.stats().get("revision"));
  }

  @Test
  void nodeLeftBehindIsInvalid() {
    TestHistory h = new TestHistory();
    h.phase("heal", null);
    h.status(1, "n1", 10);
    h.status(1, "n2", 10);
    h.status(1, "n3", 8);
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("diverged", result.anomalies().get(0).type());
  }

  @Test
  void convergingTooLateIsInvalid() {
    TestHistory h = new TestHistory();
    h.phase("heal", null);
    h.status(1, "n1", 10);
    h.status(1, "n2", 8);
    h.advance(Duration.ofSeconds(5));
    h.status(1, "n2", 10);
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("slow-convergence", result.anomalies().get(0).type());
  }

  @Test
  void sameRevisionWithDifferentContentsIsInvalid() {
    TestHistory h = new TestHistory();
    h.phase("heal", null);
    h.readAll(1, "n1", 10, Map.of("web/a", new RegistryEntry("240.0.0.1", "s1")));
    h.readAll(1, "n2", 10, Map.of("web/a", new RegistryEntry("240.0.0.2", "s1")));
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("same-revision-different-registry", result.anomalies().get(0).type());
  }

  @Test
  void aNodeThatNeverAnswersAfterHealIsInvalid() {
    TestHistory h = new TestHistory();
    h.phase("heal", null);
    h.status(1, "n1", 10);
    h.status(1, "n2", 10);
    for (int i = 0; i < 3; i++) {
      h.fail(h.invoke(1, OpKind.CLUSTER_STATUS, "n3", null, null), "unreachable");
    }
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity(), "n1 and n2 agreeing is not convergence");
    assertEquals("never-answered", result.anomalies().get(0).type());
    assertEquals("n3", result.anomalies().get(0).node());
    assertEquals(3L, result.judged());
  }

  @Test
  void withoutHealMarkerTheAnswerIsUnknown() {
    TestHistory h = new TestHistory();
    h.status(1, "n1", 10);
    assertEquals(Validity.UNKNOWN, checker.check(h.history()).validity());
  }
}
