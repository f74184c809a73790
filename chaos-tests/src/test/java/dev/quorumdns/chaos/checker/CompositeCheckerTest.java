package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CompositeCheckerTest {
  private static Checker fixed(String name, Validity v) {
    return fixed(name, v, 1);
  }

  private static Checker fixed(String name, Validity v, long judged) {
    return new Checker() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult check(History history) {
        CheckResult.Builder b = new CheckResult.Builder(name).judged(judged);
        if (v == Validity.INVALID) {
          b.anomaly(new Anomaly("x", null, null, "bad", List.of()));
        } else if (v == Validity.UNKNOWN) {
          b.unknown("cannot tell");
        }
        return b.build();
      }
    };
  }

  @Test
  void invalidBeatsUnknownBeatsValid() {
    History h = new TestHistory().history();
    assertEquals(
        Validity.VALID,
        new CompositeChecker(List.of(fixed("a", Validity.VALID))).check(h).validity());
    assertEquals(
        Validity.UNKNOWN,
        new CompositeChecker(List.of(fixed("a", Validity.VALID), fixed("b", Validity.UNKNOWN)))
            .check(h)
            .validity());
    CompositeChecker.Composite all =
        new CompositeChecker(
                List.of(
                    fixed("a", Validity.UNKNOWN),
                    fixed("b", Validity.INVALID),
                    fixed("c", Validity.VALID)))
            .check(h);
    assertEquals(Validity.INVALID, all.validity());
    assertEquals(1, all.anomalies());
    assertEquals(List.of("a", "b", "c"), List.copyOf(all.results().keySet()));
  }

  @Test
  void aCheckerThatJudgedNothingIsNeverValid() {
    History h = new TestHistory().history();
    CompositeChecker.Composite none =
        new CompositeChecker(List.of(fixed("a", Validity.VALID), fixed("idle", Validity.VALID, 0)))
            .check(h);
    assertEquals(Validity.UNKNOWN, none.validity());
    assertEquals(0, none.results().get("idle").judged());
    assertTrue(none.results().get("idle").unknownReason().contains("judged nothing"));
    CompositeChecker.Composite silent =
        new CompositeChecker(List.of(fixed("mute", Validity.VALID, CheckResult.NOT_REPORTED)))
            .check(h);
    assertEquals(Validity.UNKNOWN, silent.validity(), "a checker must say how much it judged");
    CompositeChecker.Composite extra =
        new CompositeChecker(List.of(fixed("a", Validity.VALID)))
            .check(h)
            .with(new CheckResult.Builder("logs").judged(0).build(), 0);
    assertEquals(Validity.UNKNOWN, extra.validity(), "an added result is held to the same rule");
    assertEquals(List.of("a", "logs"), List.copyOf(extra.results().keySet()));
  }

  @Test
  void crashingCheckerMakesTheVerdictUnknown() {
    Checker crashing =
        new Checker() {
          @Override
          public String name() {
            return "crash";
          }

          @Override
          public CheckResult check(History history) {
            throw new IllegalStateException("boom");
          }
        };
    CompositeChecker.Composite result =
        new CompositeChecker(List.of(crashing)).check(new TestHistory().history());
    assertEquals(Validity.UNKNOWN, result.validity());
  }
}
