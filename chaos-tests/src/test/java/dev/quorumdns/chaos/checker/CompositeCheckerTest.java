package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CompositeCheckerTest {
  private static Checker fixed(String name, Validity v) {
    return new Checker() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult check(History history) {
        CheckResult.Builder b = new CheckResult.Builder(name);
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
