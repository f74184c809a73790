package dev.quorumdns.chaos.checker;

import java.time.Duration;
import java.util.List;

/** The suite's standard composition of checkers. */
public final class Checkers {
  private Checkers() {}

  /**
   * @param convergenceBound how long after heal the nodes may take to agree on one revision
   * @param minDnsShare the least share of DNS queries that up nodes must answer
   * @param restartBound the longest a restarted node may take to answer DNS again before its
   *     failures count
   */
  public static CompositeChecker standard(
      Duration convergenceBound, double minDnsShare, Duration restartBound) {
    return new CompositeChecker(
        List.of(
            new LinearizabilityChecker(),
            new VipStabilityChecker(),
            new VipUniquenessChecker(),
            new FinalReadsChecker(),
            new ConvergenceChecker(convergenceBound),
            new DnsTimeTravelChecker(),
            new DnsAvailabilityChecker(minDnsShare, restartBound)));
  }
}
