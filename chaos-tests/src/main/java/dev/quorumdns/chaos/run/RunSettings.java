package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.workload.WorkloadConfig;
import java.time.Duration;

/**
 * Knobs of a run. Immutable.
 *
 * @param holdMin, holdMax how long each fault lasts
 * @param gapMin, gapMax quiet time before each fault
 * @param convergeWithin bound on reaching one revision after heal (also the convergence checker's
 *     bound)
 * @param minDnsShare least share of DNS queries up nodes must answer
 * @param restartBound the longest a restarted node may take to answer DNS again before its failures
 *     count
 */
public record RunSettings(
    int nodes,
    WorkloadConfig workload,
    Duration holdMin,
    Duration holdMax,
    Duration gapMin,
    Duration gapMax,
    double lossProbability,
    Duration requestTimeout,
    Duration readyTimeout,
    Duration convergeWithin,
    double minDnsShare,
    Duration restartBound) {

  /**
   * How long the HTTP client waits for a write: above the node's {@code --write-timeout} (4 s in
   * the chaos node flags), so the node's own 504 {@code outcome_unknown} is seen rather than the
   * client's timeout.
   */
  public Duration writeTimeout() {
    return Duration.ofSeconds(6);
  }

  /** Three nodes, faults of 1.5–5 s with 0.5–2 s between them. */
  public static RunSettings shortForm() {
    return new RunSettings(
        3,
        WorkloadConfig.standard(),
        Duration.ofMillis(1500),
        Duration.ofSeconds(5),
        Duration.ofMillis(500),
        Duration.ofSeconds(2),
        0.3,
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        0.99,
        Duration.ofSeconds(180));
  }

  /** Five nodes, longer faults. */
  public static RunSettings longForm() {
    return new RunSettings(
        5,
        new WorkloadConfig(8, 6, 48, 4, 0.15, 0.25, 150),
        Duration.ofSeconds(3),
        Duration.ofSeconds(20),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        0.3,
        Duration.ofSeconds(2),
        Duration.ofSeconds(90),
        Duration.ofSeconds(60),
        0.99,
        Duration.ofSeconds(180));
  }

  public RunSettings withNodes(int count) {
    return new RunSettings(
        count,
        workload,
        holdMin,
        holdMax,
        gapMin,
        gapMax,
        lossProbability,
        requestTimeout,
        readyTimeout,
        convergeWithin,
        minDnsShare,
        restartBound);
  }

  public RunSettings withConvergeWithin(Duration bound) {
    return new RunSettings(
        nodes,
        workload,
        holdMin,
        holdMax,
        gapMin,
        gapMax,
        lossProbability,
        requestTimeout,
        readyTimeout,
        bound,
        minDnsShare,
        restartBound);
  }

  public RunSettings withWorkload(WorkloadConfig config) {
    return new RunSettings(
        nodes,
        config,
        holdMin,
        holdMax,
        gapMin,
        gapMax,
        lossProbability,
        requestTimeout,
        readyTimeout,
        convergeWithin,
        minDnsShare,
        restartBound);
  }
}
