package dev.quorumdns.chaos.checker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one checker concluded: the verdict, up to {@link #MAX_LISTED} anomalies (with the full
 * count), why it could not decide when unknown, figures worth reporting, and how much it judged
 * ({@code judged}: operations, answers or comparisons it held against a rule; {@link #NOT_REPORTED}
 * if the checker did not say). A checker that judged nothing cannot be valid: {@link
 * CompositeChecker} turns its verdict into unknown. Immutable.
 */
public record CheckResult(
    String checker,
    Validity validity,
    long anomalyCount,
    List<Anomaly> anomalies,
    String unknownReason,
    Map<String, Object> stats,
    long judged) {

  public static final int MAX_LISTED = 200;

  /** {@code judged} of a checker that did not count what it judged. */
  public static final long NOT_REPORTED = -1;

  public CheckResult {
    Objects.requireNonNull(checker, "checker");
    Objects.requireNonNull(validity, "validity");
    anomalies = List.copyOf(anomalies);
    stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
  }

  public boolean isValid() {
    return validity == Validity.VALID;
  }

  /**
   * This result, unknown (not valid) when it judged nothing or did not say how much it judged; an
   * invalid or unknown result is kept as it is.
   */
  public CheckResult unlessVacuous() {
    if (validity != Validity.VALID || judged > 0) {
      return this;
    }
    String why =
        judged == NOT_REPORTED
            ? "the checker does not report how much it judged"
            : "judged nothing (no operation or answer it could hold against its rules)";
    return new CheckResult(checker, Validity.UNKNOWN, anomalyCount, anomalies, why, stats, judged);
  }

  /** Collects anomalies and stats for one checker run; not thread-safe. */
  public static final class Builder {
    private final String checker;
    private final List<Anomaly> anomalies = new ArrayList<>();
    private final Map<String, Object> stats = new LinkedHashMap<>();
    private long anomalyCount;
    private String unknownReason;
    private long judged = NOT_REPORTED;

    public Builder(String checker) {
      this.checker = checker;
    }

    public Builder anomaly(Anomaly anomaly) {
      anomalyCount++;
      if (anomalies.size() < MAX_LISTED) {
        anomalies.add(anomaly);
      }
      return this;
    }

    /** Marks the result unknown (unless anomalies make it invalid anyway). */
    public Builder unknown(String reason) {
      unknownReason = unknownReason == null ? reason : unknownReason + "; " + reason;
      return this;
    }

    public Builder stat(String key, Object value) {
      stats.put(key, value);
      return this;
    }

    /** How much the checker judged (operations, answers, comparisons); see {@link #judged()}. */
    public Builder judged(long count) {
      judged = count;
      return this;
    }

    /** Anomalies found so far (listed or not). */
    public long anomalyCount() {
      return anomalyCount;
    }

    public CheckResult build() {
      Validity validity =
          anomalyCount > 0
              ? Validity.INVALID
              : unknownReason != null ? Validity.UNKNOWN : Validity.VALID;
      return new CheckResult(
          checker, validity, anomalyCount, anomalies, unknownReason, stats, judged);
    }
  }
}
