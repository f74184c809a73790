package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.TestHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VipStabilityCheckerTest {
  private final VipStabilityChecker checker = new VipStabilityChecker();

  @Test
  void lateNxdomainAndStableVipAcrossNodesIsValid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.dns(2, "n3", "web/a", null);
    h.dns(2, "n1", "web/a", "240.0.0.1");
    h.put(1, "n2", "web/a", "s2", "240.0.0.1", "updated");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    h.delete(1, "n1", "web/a", "240.0.0.1");
    h.dns(2, "n3", "web/a", "240.0.0.1");
    h.put(1, "n1", "web/a", "s3", "240.0.0.7", "created");
    h.dns(2, "n1", "web/a", "240.0.0.7");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
  }

  @Test
  void answerWithAnotherVipAfterAcknowledgedRegistrationIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.dns(2, "n1", "web/a", "240.0.0.1");
    h.dns(2, "n2", "web/a", "240.0.0.2");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("vip-changed", result.anomalies().get(0).type());
    assertEquals("n2", result.anomalies().get(0).node());
  }

  @Test
  void unknownRegistrationMustStillShowOneVip() {
    TestHistory h = new TestHistory();
    h.info(h.invoke(1, OpKind.REGISTER, "n1", "web/a", "s1"), "timeout");
    h.dns(2, "n1", "web/a", "240.0.0.1");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    h.dns(2, "n3", "web/a", "240.0.0.9");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("vip-inconsistent", result.anomalies().get(0).type());
  }

  @Test
  void answersOverlappingAPossibleDeleteAreNotJudged() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.info(h.invoke(1, OpKind.DELETE, "n1", "web/a", null), "timeout");
    h.put(3, "n1", "web/a", "s1", "240.0.0.5", "created");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    assertEquals(Validity.VALID, checker.check(h.history()).validity());
  }
}
