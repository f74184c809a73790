package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FinalReadsCheckerTest {
  private final FinalReadsChecker checker = new FinalReadsChecker();
  private static final RegistryEntry A = new RegistryEntry("240.0.0.1", "s2");

  private static TestHistory writes() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.put(1, "n2", "web/a", "s2", "240.0.0.1", "updated");
    h.put(1, "n3", "web/b", "s1", "240.0.0.2", "created");
    h.delete(1, "n3", "web/b", "240.0.0.2");
    h.info(h.invoke(1, OpKind.REGISTER, "n1", "web/c", "s1"), "timeout");
    h.phase("heal", null);
    h.phase("final", null);
    return h;
  }

  @Test
  void everyNodeHoldingTheLastAcknowledgedWritesIsValid() {
    TestHistory h = writes();
    h.readAll(2, "n1", 7, Map.of("web/a", A));
    h.readAll(2, "n2", 7, Map.of("web/a", A, "web/c", new RegistryEntry("240.0.0.3", "s1")));
    h.readAll(2, "n3", 7, Map.of("web/a", A));
    h.dns(2, "n3", "web/a", "240.0.0.1");
    h.dns(2, "n3", "web/b", null);
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
  }

  @Test
  void nodeMissingAnAcknowledgedRegistrationIsInvalid() {
    TestHistory h = writes();
    h.readAll(2, "n1", 7, Map.of("web/a", A));
    h.readAll(2, "n2", 7, Map.of());
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("lost-write", result.anomalies().get(0).type());
    assertEquals("n2", result.anomalies().get(0).node());
  }

  @Test
  void nodeWithAnOverwrittenSpecIsInvalid() {
    TestHistory h = writes();
    h.readAll(2, "n1", 7, Map.of("web/a", new RegistryEntry("240.0.0.1", "s1")));
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void deletedNameStillResolvingAfterHealIsInvalid() {
    TestHistory h = writes();
    h.readAll(2, "n1", 7, Map.of("web/a", A));
    h.dns(2, "n2", "web/b", "240.0.0.2");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void withoutFinalReadsTheAnswerIsUnknown() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    assertEquals(Validity.UNKNOWN, checker.check(h.history()).validity());
  }
}
