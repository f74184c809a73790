package dev.quorumdns.chaos.checker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one checker concluded: the verdict, up to {@link #MAX_LISTED} anomalies (with the full
 * count), why it could not decide when unknown, and figures worth reporting. Immutable.
 */
public record CheckResult(
    String checker,
    Validity validity,
    long anomalyCount,
    List<Anomaly> anomalies,
    String unknownReason,
    Map<String, Object> stats) {

  public static final int MAX_LISTED = 200;

  public CheckResult {
    Objects.requireNonNull(checker, "checker");
    Objects.requireNonNull(validity, "validity");
    anomalies = List.copyOf(anomalies);
    stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
  }

  public boolean isValid() {
    return validity == Validity.VALID;
  }

  /** Collects anomalies and stats for one checker run; not thread-safe. */
  public static final class Builder {
    private final String checker;
    private final List<Anomaly> anomalies = new ArrayList<>();
    private final Map<String, Object> stats = new LinkedHashMap<>();
    private long anomalyCount;
    private String unknownReason;

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

    /** Anomalies found so far (listed or not). */
    public long anomalyCount() {
      return anomalyCount;
    }

    public CheckResult build() {
      Validity validity =
          anomalyCount > 0
              ? Validity.INVALID
              : unknownReason != null ? Validity.UNKNOWN : Validity.VALID;
      return new CheckResult(checker, validity, anomalyCount, anomalies, unknownReason, stats);
    }
  }
}
