package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VipUniquenessCheckerTest {
  private final VipUniquenessChecker checker = new VipUniquenessChecker();

  @Test
  void vipReusedOnlyAfterDeleteIsValid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.read(1, "n1", "web/a", "s1", "240.0.0.1");
    h.delete(1, "n1", "web/a", "240.0.0.1");
    h.put(1, "n1", "web/b", "s1", "240.0.0.1", "created");
    h.dns(2, "n2", "web/b", "240.0.0.1");
    h.readAll(
        3,
        "n1",
        4,
        Map.of(
            "web/b",
            new RegistryEntry("240.0.0.1", "s1"),
            "web/c",
            new RegistryEntry("240.0.0.2", "s1")));
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
  }

  @Test
  void twoNamesWithOneVipInOneSnapshotIsInvalid() {
    TestHistory h = new TestHistory();
    h.readAll(
        3,
        "n2",
        9,
        Map.of(
            "web/a",
            new RegistryEntry("240.0.0.1", "s1"),
            "web/b",
            new RegistryEntry("240.0.0.1", "s2")));
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("shared-vip", result.anomalies().get(0).type());
  }

  @Test
  void vipGivenToAnotherNameWhileHeldIsInvalid() {
    TestHistory h = new TestHistory();
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    h.put(2, "n2", "web/b", "s1", "240.0.0.1", "created");
    h.read(1, "n3", "web/a", "s1", "240.0.0.1");
    assertEquals(Validity.INVALID, checker.check(h.history()).validity());
  }

  @Test
  void oneNodeAnsweringTwoNamesWithOneVipIsInvalid() {
    TestHistory h = new TestHistory();
    h.dns(1, "n3", "web/a", "240.0.0.1");
    h.dns(1, "n3", "web/b", "240.0.0.1");
    h.dns(1, "n3", "web/a", "240.0.0.1");
    CheckResult result = checker.check(h.history());
    assertEquals(Validity.INVALID, result.validity());
    assertEquals("n3", result.anomalies().get(0).node());
  }
}
