package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs several checkers over one history and merges their verdicts. A checker that judged nothing,
 * or does not say how much it judged, counts as unknown, never valid (see {@link
 * CheckResult#unlessVacuous}). Thread-safe if its parts are.
 */
public final class CompositeChecker {
  private final List<Checker> checkers;

  public CompositeChecker(List<Checker> checkers) {
    this.checkers = List.copyOf(checkers);
  }

  public Composite check(History history) {
    Map<String, CheckResult> results = new LinkedHashMap<>();
    Map<String, Long> millis = new LinkedHashMap<>();
    Validity validity = Validity.VALID;
    long anomalies = 0;
    for (Checker checker : checkers) {
      CheckResult result;
      long started = System.nanoTime();
      try {
        result = checker.check(history).unlessVacuous();
      } catch (RuntimeException e) {
        result = new CheckResult.Builder(checker.name()).unknown("checker crashed: " + e).build();
      }
      millis.put(checker.name(), (System.nanoTime() - started) / 1_000_000);
      results.put(checker.name(), result);
      validity = validity.and(result.validity());
      anomalies += result.anomalyCount();
    }
    return new Composite(validity, anomalies, results, millis);
  }

  /**
   * The merged verdict, each checker's result (in checker order) and how long each took. Immutable.
   */
  public record Composite(
      Validity validity,
      long anomalies,
      Map<String, CheckResult> results,
      Map<String, Long> millis) {
    public Composite {
      results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
      millis = Collections.unmodifiableMap(new LinkedHashMap<>(millis));
    }

    /**
     * This verdict with one more result (e.g. the node-log scan, which judges logs, not the
     * history); vacuous results are unknown as for checkers.
     */
    public Composite with(CheckResult extra, long tookMillis) {
      CheckResult r = extra.unlessVacuous();
      Map<String, CheckResult> more = new LinkedHashMap<>(results);
      more.put(r.checker(), r);
      Map<String, Long> moreMillis = new LinkedHashMap<>(millis);
      moreMillis.put(r.checker(), tookMillis);
      return new Composite(
          validity.and(r.validity()), anomalies + r.anomalyCount(), more, moreMillis);
    }
  }
}
