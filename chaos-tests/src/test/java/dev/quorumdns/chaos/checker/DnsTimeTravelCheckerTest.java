package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.TestHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DnsTimeTravelCheckerTest {
  private final DnsTimeTravelChecker checker = new DnsTimeTravelChecker();

  @Test
  void laggingNodesMovingForwardAreValid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.dns(2, "n2", "web/a", null);
    h.dns(2, "n1", "web/a", "240.0.0.1");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    h.delete(1, "n1", "web/a", "240.0.0.1");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    h.dns(2, "n2", "web/a", null);
    h.dns(2, "n1", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
  }

  @Test
  void registeredNameGoingBackToNxdomainIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.dns(2, "n3", "web/a", "240.0.0.1");
    h.dns(2, "n3", "web/a", null);
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("dns-time-travel", result.anomalies().get(0).type());
    assertEquals("n3", result.anomalies().get(0).node());
  }

  @Test
  void goingBackToAnOlderRegistrationsVipIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.delete(1, "n1", "web/a", "240.0.0.1");
    h.put(1, "n1", "web/a", "s1", "240.0.0.2", "created");
    h.dns(2, "n2", "web/a", "240.0.0.2");
    h.dns(2, "n2", "web/a", "240.0.0.1");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }
}
