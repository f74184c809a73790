package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The VIP hold-down, judged on the cluster's own clock: the log time ({@code appliedAt}) each
 * acknowledged write answered with, never the test's wall clock. A delete of name A answered with
 * VIP v at log time T holds v for A until T + hold-down:
 *
 * <ul>
 *   <li><b>no one else</b>: no acknowledged write of another name B shows B with v at a log time t,
 *       T &lt; t &lt; T + hold-down (a PUT answered with v at t: B held v at t; a delete of B
 *       answered with v at t: B held v in the state just before, which is after A's delete since
 *       log time never goes back);
 *   <li><b>its own back</b>: a PUT of A answered at log time t with T &lt; t &lt; T + hold-down (T
 *       of A's latest acknowledged delete before t) shows v again (A was created again within the
 *       hold, by this PUT or an earlier one whose answer was lost, and got v);
 *   <li><b>log time never goes back</b>: an acknowledged write that began after another ended has a
 *       log time no smaller (what makes the two rules above sound under clock faults: the node
 *       raises an older leader stamp to the newest seen).
 * </ul>
 *
 * After the hold-down, another name may take v: those reuses are counted ({@code
 * reusesAfterExpiry}) so a run shows that expiry happened. Bounds are strict (a write in the same
 * millisecond as the delete is not judged). Cannot see: deletes whose outcome is unknown (no VIP,
 * no time: their hold is not judged, and a hold they started that outlasts an acknowledged delete's
 * is judged only up to the acknowledged one's end), DNS answers and reads (they carry no log time;
 * {@link VipUniquenessChecker} judges them in real time). Stateless.
 */
public final class VipHoldDownChecker implements Checker {
  private final long holdDownMillis;

  /** One acknowledged write seen on the log-time axis. */
  private record Stamp(String name, String vip, long at, boolean release, Operation op) {}

  public VipHoldDownChecker(Duration holdDown) {
    this.holdDownMillis = Objects.requireNonNull(holdDown, "holdDown").toMillis();
    if (holdDownMillis <= 0) {
      throw new IllegalArgumentException("holdDown: " + holdDown + " (expected: > 0)");
    }
  }

  @Override
  public String name() {
    return "vip-hold-down";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    List<Operation> writes = new ArrayList<>();
    for (Operation op : history.operations()) {
      if (op.f().isWrite() && op.isOk() && op.completion().appliedAt() != null) {
        writes.add(op);
      }
    }
    long backwards = logTimeMonotonic(writes, out);
    Map<String, List<Stamp>> byVip = new HashMap<>();
    Map<String, List<Stamp>> byName = new HashMap<>();
    for (Operation op : writes) {
      boolean release = op.f() == OpKind.DELETE;
      if (release && !"deleted".equals(op.result())) {
        continue;
      }
      for (String vip : new String[] {op.vip(), op.completion().vip6()}) {
        if (vip == null) {
          continue;
        }
        Stamp s = new Stamp(op.name(), vip, op.completion().appliedAt(), release, op);
        byVip.computeIfAbsent(vip, k -> new ArrayList<>()).add(s);
        byName.computeIfAbsent(op.name(), k -> new ArrayList<>()).add(s);
      }
    }
    long[] others = othersDuringHolds(byVip, out);
    long[] returns = ownReturns(byName, out);
    return out.stat("holdDownMillis", holdDownMillis)
        .stat("stampedWrites", writes.size())
        .stat(
            "releases",
            byVip.values().stream().flatMap(List::stream).filter(Stamp::release).count())
        .stat("othersJudgedWithinHold", others[0])
        .stat("reusesAfterExpiry", others[1])
        .stat("returnsWithinHold", returns[0])
        .stat("returnsAfterExpiry", returns[1])
        .stat("logTimePairsJudged", backwards)
        .judged(others[0] + returns[0])
        .build();
  }

  /**
   * Log time never goes back in real-time order; returns how many writes were judged against an
   * earlier one.
   */
  private static long logTimeMonotonic(List<Operation> writes, CheckResult.Builder out) {
    List<Operation> byEnd = new ArrayList<>(writes);
    byEnd.sort(Comparator.comparingLong(Operation::end));
    long judged = 0;
    int next = 0;
    Operation latest = null;
    for (Operation op : writes) { // invocation order
      while (next < byEnd.size() && byEnd.get(next).end() < op.start()) {
        Operation done = byEnd.get(next++);
        if (latest == null || done.completion().appliedAt() > latest.completion().appliedAt()) {
          latest = done;
        }
      }
      if (latest == null) {
        continue;
      }
      judged++;
      if (op.completion().appliedAt() < latest.completion().appliedAt()) {
        out.anomaly(
            new Anomaly(
                "log-time-went-back",
                op.name(),
                op.node(),
                op.brief()
                    + " answered log time "
                    + op.completion().appliedAt()
                    + ", yet "
                    + latest.brief()
                    + " had answered "
                    + latest.completion().appliedAt()
                    + " before it began",
                List.of(latest.completion().index(), op.invoke().index())));
      }
    }
    return judged;
  }

  /** Rule one; returns {writes of other names judged within a hold, reuses after expiry}. */
  private long[] othersDuringHolds(Map<String, List<Stamp>> byVip, CheckResult.Builder out) {
    long within = 0;
    long after = 0;
    for (List<Stamp> stamps : byVip.values()) {
      for (Stamp release : stamps) {
        if (!release.release()) {
          continue;
        }
        long until = release.at() + holdDownMillis;
        for (Stamp s : stamps) {
          if (s.name().equals(release.name()) || s.at() <= release.at()) {
            continue;
          }
          if (s.at() >= until) {
            after++;
            continue;
          }
          within++;
          out.anomaly(
              new Anomaly(
                  "held-vip-taken",
                  s.name(),
                  s.op().node(),
                  release.name()
                      + " released "
                      + release.vip()
                      + " at log time "
                      + release.at()
                      + " ("
                      + release.op().brief()
                      + "), held for it until "
                      + until
                      + ", yet "
                      + s.name()
                      + " held it at "
                      + s.at()
                      + ": "
                      + s.op().brief(),
                  List.of(release.op().completion().index(), s.op().completion().index())));
        }
      }
    }
    return new long[] {within, after};
  }

  /** Rule two; returns {PUTs judged within the hold of their own release, PUTs after it}. */
  private long[] ownReturns(Map<String, List<Stamp>> byName, CheckResult.Builder out) {
    long within = 0;
    long after = 0;
    for (List<Stamp> stamps : byName.values()) {
      stamps.sort(Comparator.comparingLong(Stamp::at));
      for (Stamp put : stamps) {
        if (put.release()) {
          continue;
        }
        String family = family(put.vip());
        Stamp latest = null;
        for (Stamp r : stamps) {
          if (r.release() && r.at() < put.at() && family(r.vip()).equals(family)) {
            latest = r;
          }
        }
        if (latest == null) {
          continue;
        }
        if (put.at() >= latest.at() + holdDownMillis) {
          after++;
          continue;
        }
        within++;
        if (!put.vip().equals(latest.vip())) {
          out.anomaly(
              new Anomaly(
                  "hold-not-returned",
                  put.name(),
                  put.op().node(),
                  put.name()
                      + " released "
                      + latest.vip()
                      + " at log time "
                      + latest.at()
                      + " ("
                      + latest.op().brief()
                      + ") and was written again at "
                      + put.at()
                      + ", within the hold-down, with "
                      + put.vip()
                      + ": "
                      + put.op().brief(),
                  List.of(latest.op().completion().index(), put.op().completion().index())));
        }
      }
    }
    return new long[] {within, after};
  }

  private static String family(String vip) {
    return vip.indexOf(':') >= 0 ? "6" : "4";
  }
}
