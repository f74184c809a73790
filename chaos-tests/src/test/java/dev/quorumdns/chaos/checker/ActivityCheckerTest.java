package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityCheckerTest {
  private static final Map<OpKind, Long> MIN =
      Map.of(
          OpKind.REGISTER, 2L,
          OpKind.UPDATE, 1L,
          OpKind.DELETE, 1L,
          OpKind.READ_API, 1L,
          OpKind.RESOLVE_DNS, 2L);

  /** Enough of everything in one scenario. */
  private static void busy(TestHistory h, String scenario) {
    h.phase("scenario", scenario);
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.put(1, "n1", "web/b", "s1", "240.0.0.2", "created");
    h.ok(h.invoke(1, OpKind.UPDATE, "n1", "web/a", "s2"), "s2", "240.0.0.1", "updated");
    h.delete(1, "n1", "web/b", "240.0.0.2");
    h.read(1, "n2", "web/a", "s2", "240.0.0.1");
    h.dns(2, "n3", "web/a", "240.0.0.1");
    h.dns(2, "n3", "web/a", "240.0.0.1");
  }

  @Test
  void everyScenarioWithEnoughOfEachKindIsValid() {
    TestHistory h = new TestHistory();
    busy(h, "kill");
    busy(h, "pause");
    h.phase("heal", null);
    CheckResult result = new ActivityChecker(MIN, List.of("kill", "pause")).check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertEquals(14L, result.judged());
  }

  @Test
  void aScenarioWhoseWritesAllFailedIsInvalid() {
    TestHistory h = new TestHistory();
    busy(h, "kill");
    h.phase("scenario", "quorum-loss");
    for (int i = 0; i < 50; i++) {
      h.fail(h.invoke(1, OpKind.REGISTER, "n1", "web/c", "s1"), "no_quorum");
      h.dns(2, "n3", "web/a", "240.0.0.1");
    }
    h.read(1, "n2", "web/a", "s2", "240.0.0.1");
    h.phase("heal", null);
    // after heal nothing counts for the scenario
    h.put(1, "n1", "web/c", "s1", "240.0.0.3", "created");
    CheckResult result =
        new ActivityChecker(MIN, List.of("kill", "quorum-loss")).check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertTrue(
        result.anomalies().stream()
            .anyMatch(a -> a.message().contains("quorum-loss: 0 successful register")),
        () -> result.anomalies().toString());
    assertEquals(3, result.anomalyCount(), "register, update and delete are short");
  }

  @Test
  void aScenarioNeverReachedCountsZero() {
    TestHistory h = new TestHistory();
    busy(h, "kill");
    h.phase("heal", null);
    CheckResult result = new ActivityChecker(MIN, List.of("kill", "membership")).check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals(5, result.anomalyCount());
  }
}
