package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.run.VipSettings;
import java.time.Duration;
import java.util.ArrayList;
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
  /**
   * The checkers that judge something in any run of the standard workload; the autopilot checker is
   * added by the run only when it has the {@code autopilot} scenario.
   */
  public static CompositeChecker standard(
      Duration convergenceBound, double minDnsShare, Duration restartBound) {
    return standard(convergenceBound, minDnsShare, restartBound, VipSettings.HOLD_DOWN);
  }

  /**
   * As {@link #standard(Duration, double, Duration)} for a cluster whose {@code vip-hold-down} is
   * {@code holdDown}.
   */
  public static CompositeChecker standard(
      Duration convergenceBound, double minDnsShare, Duration restartBound, Duration holdDown) {
    return standard(convergenceBound, minDnsShare, restartBound, holdDown, true);
  }

  /**
   * As {@link #standard(Duration, double, Duration, Duration)}; without the watch and lease
   * checkers when {@code watchAndLease} is false (a history without the watch and lease workload,
   * in which they would judge nothing).
   */
  public static CompositeChecker standard(
      Duration convergenceBound,
      double minDnsShare,
      Duration restartBound,
      Duration holdDown,
      boolean watchAndLease) {
    return standard(
        convergenceBound,
        minDnsShare,
        restartBound,
        holdDown,
        watchAndLease,
        Duration.ofNanos(DnsAvailabilityChecker.PROPAGATION_NANOS));
  }

  /**
   * As {@link #standard(Duration, double, Duration, Duration, boolean)}, with the propagation
   * allowance of {@link DnsAvailabilityChecker} (zero for the in-memory fake, whose replicas read
   * one log).
   */
  public static CompositeChecker standard(
      Duration convergenceBound,
      double minDnsShare,
      Duration restartBound,
      Duration holdDown,
      boolean watchAndLease,
      Duration propagation) {
    List<Checker> checkers =
        new ArrayList<>(
            List.of(
                new LinearizabilityChecker(),
                new VipStabilityChecker(),
                new VipUniquenessChecker(),
                new FinalReadsChecker(),
                new ConvergenceChecker(convergenceBound),
                new DnsTimeTravelChecker(),
                new DnsAvailabilityChecker(minDnsShare, restartBound, propagation),
                new VipHoldDownChecker(holdDown),
                new RevisionOrderChecker(),
                DnsFamilyView.judged("aaaa", DnsFamilyView::aaaa, new VipStabilityChecker()),
                DnsFamilyView.judged("aaaa", DnsFamilyView::aaaa, new VipUniquenessChecker()),
                DnsFamilyView.judged("aaaa", DnsFamilyView::aaaa, new DnsTimeTravelChecker()),
                DnsFamilyView.judged("ptr4", DnsFamilyView::ptr4, new VipStabilityChecker()),
                DnsFamilyView.judged("ptr4", DnsFamilyView::ptr4, new VipUniquenessChecker()),
                DnsFamilyView.judged("ptr6", DnsFamilyView::ptr6, new VipStabilityChecker()),
                DnsFamilyView.judged("ptr6", DnsFamilyView::ptr6, new VipUniquenessChecker()),
                new BatchAtomicityChecker()));
    if (watchAndLease) {
      checkers.add(new WatchChecker());
      checkers.add(new LeaseChecker(Duration.ofSeconds(3)));
    }
    return new CompositeChecker(checkers);
  }
}
