package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * DNS keeps answering whatever fails: the share of DNS queries answered (NOERROR or NXDOMAIN, not a
 * timeout or SERVFAIL) by each node that was up, per scenario and per cluster condition (healthy,
 * leader loss, quorum lost, ...). A node is down while a fault kills or freezes it, and after the
 * fault until it first answers a query again (it is starting: JVM, state load), but for no longer
 * than the restart bound; from then on every unanswered query counts against it. How long restarted
 * nodes took to answer again is reported (slowest and over-bound counts). Each scenario and
 * condition must reach the minimum share. Stateless.
 */
public final class DnsAvailabilityChecker implements Checker {
  private final double minShare;
  private final Duration restartBound;

  /**
   * @param minShare the least share of answered queries accepted in any scenario or condition
   * @param restartBound the longest a killed, paused or re-joined node may take after its fault
   *     ends to answer DNS again before its unanswered queries count
   */
  public DnsAvailabilityChecker(double minShare, Duration restartBound) {
    this.minShare = minShare;
    this.restartBound = restartBound;
  }

  /** A node's time out: from a fault's start until it answered again (or the bound ran out). */
  private record Down(String node, long from, long until) {}

  /** Counts of one bucket. */
  public record Tally(long asked, long answered) {
    Tally plus(boolean ok) {
      return new Tally(asked + 1, answered + (ok ? 1 : 0));
    }

    public double share() {
      return asked == 0 ? 1.0 : (double) answered / asked;
    }
  }

  @Override
  public String name() {
    return "dns-availability";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    TreeMap<Long, String> scenarios = history.scenarios();
    List<FaultInterval> faults = history.faults();
    long finalStart = history.phaseNanos("final").orElse(Long.MAX_VALUE);
    List<Operation> queries =
        history.operations().stream().filter(op -> op.f() == OpKind.RESOLVE_DNS).toList();
    long[] slowest = {0};
    long[] overBound = {0};
    List<Down> downs = downs(faults, queries, slowest, overBound);
    Map<String, Tally> byScenario = new TreeMap<>();
    Map<String, Tally> byCondition = new TreeMap<>();
    Map<String, Tally> byNode = new TreeMap<>();
    long excluded = 0;
    for (Operation op : queries) {
      if (op.startNanos() >= finalStart) {
        continue;
      }
      long end = Math.min(op.endNanos(), history.endNanos());
      if (down(op.node(), op.startNanos(), end, downs)) {
        excluded++;
        continue;
      }
      boolean ok = op.isOk();
      Map.Entry<Long, String> scenario = scenarios.floorEntry(op.startNanos());
      String scenarioName = scenario == null ? "default" : scenario.getValue();
      byScenario.merge(scenarioName, new Tally(1, ok ? 1 : 0), DnsAvailabilityChecker::sum);
      byCondition.merge(
          condition(op.startNanos(), faults).wire(),
          new Tally(1, ok ? 1 : 0),
          DnsAvailabilityChecker::sum);
      byNode.merge(op.node(), new Tally(1, ok ? 1 : 0), DnsAvailabilityChecker::sum);
    }
    if (byScenario.isEmpty()) {
      return out.unknown("no DNS query to a node that was up")
          .stat("excludedNodeDown", excluded)
          .build();
    }
    judge("scenario", byScenario, out);
    judge("condition", byCondition, out);
    return out.stat("byScenario", shares(byScenario))
        .stat("byCondition", shares(byCondition))
        .stat("byNode", shares(byNode))
        .stat("queries", counts(byScenario))
        .stat("excludedNodeDown", excluded)
        .stat("slowestBackMillis", slowest[0] / 1_000_000)
        .stat("backAfterBound", overBound[0])
        .stat("minShare", minShare)
        .build();
  }

  /**
   * For every fault that stops nodes and every node it stopped: down from the fault's start until
   * the start of the node's first answered query after the fault ended, or until the bound after
   * the end.
   */
  private List<Down> downs(
      List<FaultInterval> faults, List<Operation> queries, long[] slowest, long[] overBound) {
    long bound = restartBound.toNanos();
    List<Down> out = new ArrayList<>();
    for (FaultInterval f : faults) {
      if (!f.kind().stopsTargets()) {
        continue;
      }
      for (String node : f.nodes()) {
        if (f.endNanos() == Long.MAX_VALUE) {
          out.add(new Down(node, f.startNanos(), Long.MAX_VALUE));
          continue;
        }
        long limit = f.endNanos() + bound;
        long back = Long.MAX_VALUE;
        for (Operation op : queries) {
          if (op.isOk()
              && node.equals(op.node())
              && op.startNanos() >= f.endNanos()
              && op.startNanos() < back) {
            back = op.startNanos();
          }
        }
        long until = Math.min(back, limit);
        if (!stoppedAgain(node, f, until, faults)) {
          // only a node left to start on its own says how long starting takes
          if (back > limit) {
            overBound[0]++;
          } else {
            slowest[0] = Math.max(slowest[0], back - f.endNanos());
          }
        }
        out.add(new Down(node, f.startNanos(), until));
      }
    }
    return out;
  }

  /** Whether another fault stopped {@code node} after {@code f} ended and before {@code until}. */
  private static boolean stoppedAgain(
      String node, FaultInterval f, long until, List<FaultInterval> faults) {
    for (FaultInterval g : faults) {
      if (g != f
          && g.kind().stopsTargets()
          && g.nodes().contains(node)
          && g.startNanos() >= f.endNanos()
          && g.startNanos() < until) {
        return true;
      }
    }
    return false;
  }

  private static boolean down(String node, long from, long to, List<Down> downs) {
    for (Down d : downs) {
      if (d.node().equals(node) && d.from() < to && from < d.until()) {
        return true;
      }
    }
    return false;
  }

  private void judge(String what, Map<String, Tally> tallies, CheckResult.Builder out) {
    tallies.forEach(
        (key, tally) -> {
          if (tally.share() < minShare) {
            out.anomaly(
                new Anomaly(
                    "dns-unavailable",
                    null,
                    null,
                    String.format(
                        Locale.ROOT,
                        "%s %s: %d of %d DNS queries to up nodes answered (%.4f < %.4f)",
                        what,
                        key,
                        tally.answered(),
                        tally.asked(),
                        tally.share(),
                        minShare),
                    List.of()));
          }
        });
  }

  /** The most severe condition among the faults active at {@code at}. */
  private static FaultKind.Condition condition(long at, List<FaultInterval> faults) {
    FaultKind.Condition worst = FaultKind.Condition.HEALTHY;
    for (FaultInterval f : faults) {
      if (f.activeAt(at) && severity(f.kind().condition()) > severity(worst)) {
        worst = f.kind().condition();
      }
    }
    return worst;
  }

  private static int severity(FaultKind.Condition c) {
    return switch (c) {
      case HEALTHY -> 0;
      case MEMBERSHIP -> 1;
      case PACKET_LOSS -> 2;
      case PARTITION -> 3;
      case MINORITY_DOWN -> 4;
      case LEADER_LOSS -> 5;
      case QUORUM_LOST -> 6;
    };
  }

  private static Tally sum(Tally a, Tally b) {
    return new Tally(a.asked() + b.asked(), a.answered() + b.answered());
  }

  private static Map<String, Double> shares(Map<String, Tally> tallies) {
    Map<String, Double> out = new LinkedHashMap<>();
    tallies.forEach((k, t) -> out.put(k, Math.round(t.share() * 1e6) / 1e6));
    return out;
  }

  private static Map<String, Long> counts(Map<String, Tally> tallies) {
    Map<String, Long> out = new LinkedHashMap<>();
    tallies.forEach((k, t) -> out.put(k, t.asked()));
    return out;
  }
}
