package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VipHoldDownCheckerTest {
  private static final long T = 1_700_000_000_000L;
  private static final VipHoldDownChecker CHECKER = new VipHoldDownChecker(Duration.ofSeconds(20));

  private static Op write(
      TestHistory h, OpKind kind, String name, String vip, String result, long at) {
    Op inv = h.invoke(1, kind, "n1", name, kind.isPut() ? "10.0.0.1:80" : null);
    return h.complete(
        inv,
        inv.complete(OpType.OK, kind.isPut() ? "10.0.0.1:80" : null, vip, result)
            .withAppliedAt(at));
  }

  private static Op put(TestHistory h, String name, String vip, String result, long at) {
    return write(h, OpKind.REGISTER, name, vip, result, at);
  }

  private static Op delete(TestHistory h, String name, String vip, long at) {
    return write(h, OpKind.DELETE, name, vip, "deleted", at);
  }

  private static List<String> types(CheckResult r) {
    return r.anomalies().stream().map(Anomaly::type).toList();
  }

  @Test
  void ownReturnWithinAndReuseAfterExpiryAreValidAndCounted() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.5", "created", T);
    delete(h, "chaos/a", "240.0.0.5", T + 1_000);
    put(h, "chaos/a", "240.0.0.5", "created", T + 5_000); // within: its own back
    delete(h, "chaos/a", "240.0.0.5", T + 6_000);
    put(h, "chaos/b", "240.0.0.5", "created", T + 26_000); // after expiry: allowed
    put(h, "chaos/a", "240.0.0.9", "created", T + 27_000); // after expiry: any VIP
    CheckResult r = CHECKER.check(h.history());
    assertEquals(Validity.VALID, r.validity(), r.toString());
    assertEquals(1L, r.stats().get("returnsWithinHold"));
    assertEquals(1L, r.stats().get("returnsAfterExpiry"));
    assertEquals(2L, r.stats().get("reusesAfterExpiry"), r.stats().toString());
  }

  @Test
  void anotherNameWithAHeldVipIsCaught() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.5", "created", T);
    delete(h, "chaos/a", "240.0.0.5", T + 1_000);
    put(h, "chaos/b", "240.0.0.5", "created", T + 20_999); // 1 ms before the hold runs out
    CheckResult r = CHECKER.check(h.history());
    assertEquals(Validity.INVALID, r.validity());
    assertEquals(List.of("held-vip-taken"), types(r));
  }

  @Test
  void anotherNamesDeleteWithAHeldVipIsCaught() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.5", "created", T);
    delete(h, "chaos/a", "240.0.0.5", T + 1_000);
    delete(h, "chaos/b", "240.0.0.5", T + 3_000); // b held it (its PUT's answer was lost)
    assertEquals(List.of("held-vip-taken"), types(CHECKER.check(h.history())));
  }

  @Test
  void aReturnWithinTheHoldWithAnotherVipIsCaught() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.5", "created", T);
    delete(h, "chaos/a", "240.0.0.5", T + 1_000);
    put(h, "chaos/a", "240.0.0.6", "created", T + 19_000);
    assertEquals(List.of("hold-not-returned"), types(CHECKER.check(h.history())));
  }

  @Test
  void logTimeGoingBackIsCaught() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.5", "created", T + 5_000);
    put(h, "chaos/b", "240.0.0.6", "created", T + 4_000);
    assertEquals(List.of("log-time-went-back"), types(CHECKER.check(h.history())));
  }

  @Test
  void unknownDeletesAndUnstampedWritesAreNotJudged() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.5", "created", T);
    h.info(h.invoke(2, OpKind.DELETE, "n1", "chaos/a", null), "timeout");
    put(h, "chaos/b", "240.0.0.5", "created", T + 1_000); // a's delete time is unknown
    h.put(3, "n2", "chaos/c", "10.0.0.1:80", "240.0.0.5", "created"); // no appliedAt
    CheckResult r = CHECKER.check(h.history());
    assertEquals(Validity.VALID, r.validity(), r.toString());
  }
}
