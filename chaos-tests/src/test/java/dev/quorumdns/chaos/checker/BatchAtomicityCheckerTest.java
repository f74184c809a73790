package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchAtomicityCheckerTest {
  private static final BatchAtomicityChecker CHECKER = new BatchAtomicityChecker();
  private static final List<String> GROUP = List.of("chaos/b0-0", "chaos/b0-1", "chaos/b0-2");

  private static void batch(TestHistory h, String spec) {
    Op inv = h.invoke(Op.invoke(1, OpKind.BATCH, "n1", "chaos/b0", spec).withNodes(GROUP));
    h.complete(inv, inv.complete(OpType.OK, null, null, "applied"));
  }

  @Test
  void wholeBatchesAreValid() {
    TestHistory h = new TestHistory();
    batch(h, "s1");
    h.readAll(
        2,
        "n2",
        5,
        Map.of(
            "chaos/b0-0", new RegistryEntry("240.0.0.1", "s1"),
            "chaos/b0-1", new RegistryEntry("240.0.0.2", "s1"),
            "chaos/b0-2", new RegistryEntry("240.0.0.3", "s1")));
    h.readAll(2, "n3", 6, Map.of());
    CheckResult r = CHECKER.check(h.history());
    assertEquals(Validity.VALID, r.validity(), r.toString());
    assertEquals(1L, r.stats().get("groupReadsJudged"));
  }

  @Test
  void aReadWithPartOfABatchIsCaught() {
    TestHistory h = new TestHistory();
    batch(h, "s1");
    batch(h, "s2");
    h.readAll(
        2,
        "n2",
        5,
        Map.of(
            "chaos/b0-0", new RegistryEntry("240.0.0.1", "s2"),
            "chaos/b0-1", new RegistryEntry("240.0.0.2", "s1"),
            "chaos/b0-2", new RegistryEntry("240.0.0.3", "s2")));
    h.readAll(2, "n3", 6, Map.of("chaos/b0-0", new RegistryEntry("240.0.0.1", "s2")));
    CheckResult r = CHECKER.check(h.history());
    assertEquals(Validity.INVALID, r.validity());
    assertEquals(2, r.anomalyCount());
  }
}
