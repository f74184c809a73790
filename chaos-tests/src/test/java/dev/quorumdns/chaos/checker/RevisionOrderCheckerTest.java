package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RevisionOrderCheckerTest {
  private static final RevisionOrderChecker CHECKER = new RevisionOrderChecker();

  private static Op put(TestHistory h, int p, String name, String spec, String result, long rev) {
    Op inv = h.invoke(p, OpKind.REGISTER, "n1", name, spec);
    return h.complete(inv, inv.complete(OpType.OK, spec, "240.0.0.1", result).withRevision(rev));
  }

  private static List<String> types(CheckResult r) {
    return r.anomalies().stream().map(Anomaly::type).toList();
  }

  @Test
  void increasingWritesAndReadsAreValid() {
    TestHistory h = new TestHistory();
    put(h, 1, "chaos/a", "e1", "created", 5);
    put(h, 1, "chaos/a", "e2", "updated", 7);
    put(h, 1, "chaos/a", "e1", "updated", 3); // a spec sent before: may be a no-op, not judged
    h.status(2, "n1", 7);
    h.status(2, "n1", 9);
    CheckResult r = CHECKER.check(h.history());
    assertEquals(Validity.VALID, r.validity(), r.toString());
    assertEquals(1L, r.stats().get("writesJudged"));
    assertEquals(1L, r.stats().get("readsJudged"));
  }

  @Test
  void aWriteBelowAnEarlierAcknowledgedOneIsCaught() {
    TestHistory h = new TestHistory();
    put(h, 1, "chaos/a", "e1", "created", 9);
    put(h, 2, "chaos/b", "e1", "created", 8);
    assertEquals(List.of("revision-not-increasing"), types(CHECKER.check(h.history())));
  }

  @Test
  void aNodesReadGoingBackIsCaughtUnlessItMayHaveRestarted() {
    TestHistory h = new TestHistory();
    h.readAll(2, "n1", 12, Map.of());
    h.status(2, "n1", 11);
    assertEquals(List.of("revision-went-back"), types(CHECKER.check(h.history())));

    TestHistory restarted = new TestHistory();
    restarted.readAll(2, "n1", 12, Map.of());
    String f = restarted.fault(FaultKind.KILL_RANDOM, "n1");
    restarted.heal(f, FaultKind.KILL_RANDOM, "n1");
    restarted.status(2, "n1", 11);
    assertEquals(Validity.VALID, CHECKER.check(restarted.history()).validity());

    TestHistory paused = new TestHistory();
    paused.readAll(2, "n1", 12, Map.of());
    String p = paused.fault(FaultKind.PAUSE_LEADER, "n1");
    paused.heal(p, FaultKind.PAUSE_LEADER, "n1");
    paused.status(2, "n1", 11);
    assertEquals(List.of("revision-went-back"), types(CHECKER.check(paused.history())));
  }
}
