package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class LinearizabilityCheckerTest {
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  @Test
  void sequentialLifecycleIsValid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.read(2, "n2", "web/a", "s1", "240.0.0.1");
    h.put(1, "n3", "web/a", "s2", "240.0.0.1", "updated");
    h.delete(2, "n1", "web/a", "240.0.0.1");
    h.read(1, "n2", "web/a", null, null);
    h.delete(2, "n1", "web/a", null);
    assertEquals(Validity.VALID, checker.check(h.history()).validity());
  }

  @Test
  void concurrentWritesMayTakeEffectInEitherOrder() {
    TestHistory h = new TestHistory();
    Op a = h.invoke(1, OpKind.REGISTER, "n1", "web/a", "s1");
    Op b = h.invoke(2, OpKind.REGISTER, "n2", "web/a", "s2");
    h.ok(b, "s2", "240.0.0.1", "created");
    h.ok(a, "s1", "240.0.0.1", "updated");
    h.read(3, "n3", "web/a", "s1", "240.0.0.1");
    assertEquals(Validity.VALID, checker.check(h.history()).validity());
  }

  @Test
  void anUnknownWriteMayOrMayNotHaveHappened() {
    TestHistory took = new TestHistory();
    took.info(took.invoke(1, OpKind.REGISTER, "n1", "web/a", "s1"), "timeout");
    took.read(2, "n2", "web/a", "s1", "240.0.0.9");
    took.read(2, "n2", "web/a", "s1", "240.0.0.9");
    assertEquals(Validity.VALID, checker.check(took.history()).validity());

    TestHistory never = new TestHistory();
    never.info(never.invoke(1, OpKind.REGISTER, "n1", "web/a", "s1"), "outcome_unknown");
    never.read(2, "n2", "web/a", null, null);
    assertEquals(Validity.VALID, checker.check(never.history()).validity());
  }

  @Test
  void failedWritesNeverHappened() {
    TestHistory h = new TestHistory();
    h.fail(h.invoke(1, OpKind.REGISTER, "n1", "web/a", "s1"), "no_quorum");
    h.read(2, "n2", "web/a", "s1", "240.0.0.1");
    CheckResult result = checker.check(h.history());
    assertEquals(
        Validity.INVALID, result.validity(), "a read cannot see a write that definitely failed");
  }

  @Test
  void lostAcknowledgedRegistrationIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    Op read = h.read(2, "n2", "web/a", null, null);
    CheckResult result = checker.check(h.history());

    assertEquals(Validity.INVALID, result.validity());
    Anomaly anomaly = result.anomalies().get(0);
    assertEquals("nonlinearizable", anomaly.type());
    assertEquals("web/a", anomaly.name());
    assertTrue(anomaly.ops().contains(read.index()), anomaly.toString());
  }

  @Test
  void staleReadIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.put(1, "n1", "web/a", "s2", "240.0.0.1", "updated");
    h.read(2, "n3", "web/a", "s1", "240.0.0.1");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void vipChangingOnUpdateIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.put(1, "n1", "web/a", "s2", "240.0.0.2", "updated");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void doubleCreateWithoutDeleteIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.put(2, "n2", "web/a", "s1", "240.0.0.1", "created");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void namesAreJudgedIndependently() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/good", "s1", "240.0.0.1", "created");
    h.put(1, "n1", "web/bad", "s1", "240.0.0.2", "created");
    h.read(2, "n2", "web/good", "s1", "240.0.0.1");
    h.read(2, "n2", "web/bad", null, null);
    CheckResult result = checker.check(h.history());
    assertEquals(1, result.anomalyCount());
    assertEquals("web/bad", result.anomalies().get(0).name());
  }

  @Test
  void exhaustedBudgetIsUnknownNotValid() {
    History history =
        new RegisterSimulation(7, 6, 40, List.of("web/a"), 0.3, 0.0).history((i, r) -> r);
    CheckResult result = new LinearizabilityChecker(3).check(history);
    assertEquals(Validity.UNKNOWN, result.validity());
    assertTrue(result.unknownReason().contains("budget"), result.unknownReason());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void simulatedCorrectRegistryIsLinearizable(long seed) {
    History history =
        new RegisterSimulation(seed, 5, 200, List.of("web/a", "web/b", "web/c"), 0.05, 0.05)
            .history((i, r) -> r);
    CheckResult result = checker.check(history);
    assertEquals(
        Validity.VALID, result.validity(), () -> result.anomalies() + " " + result.unknownReason());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void simulatedRegistryThatReturnsAValueNeverWrittenIsCaught(long seed) {
    AtomicBoolean done = new AtomicBoolean();
    History history =
        new RegisterSimulation(seed, 5, 200, List.of("web/a", "web/b", "web/c"), 0.05, 0.05)
            .history(
                (i, r) ->
                    i > 300 && "found".equals(r[2]) && done.compareAndSet(false, true)
                        ? new String[] {"10.9.9.9:1", r[1], r[2]}
                        : r);
    assertTrue(done.get(), "the corruption was applied");
    assertEquals(Validity.INVALID, checker.check(history).validity());
  }
}
