package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DNS keeps answering whatever fails: the share of DNS queries answered (NOERROR or NXDOMAIN, not a
 * timeout or SERVFAIL) by each node that was up, per scenario and per cluster condition (healthy,
 * leader loss, quorum lost, ...). A node is down while a fault kills or freezes it, and for a grace
 * period after, while it restarts and loads its state. Each scenario and condition must reach the
 * minimum share. Stateless.
 */
public final class DnsAvailabilityChecker implements Checker {
  private final double minShare;
  private final Duration restartGrace;

  /**
   * @param minShare the least share of answered queries accepted in any scenario or condition
   * @param restartGrace how long after a kill or pause ends its targets still count as down
   */
  public DnsAvailabilityChecker(double minShare, Duration restartGrace) {
    this.minShare = minShare;
    this.restartGrace = restartGrace;
  }

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
    Map<String, Tally> byScenario = new TreeMap<>();
    Map<String, Tally> byCondition = new TreeMap<>();
    Map<String, Tally> byNode = new TreeMap<>();
    long excluded = 0;
    for (Operation op : history.operations()) {
      if (op.f() != OpKind.RESOLVE_DNS || op.startNanos() >= finalStart) {
        continue;
      }
      long end = Math.min(op.endNanos(), history.endNanos());
      if (down(op.node(), op.startNanos(), end, faults)) {
        excluded++;
        continue;
      }
      boolean ok = op.isOk();
      Map.Entry<Long, String> scenario = scenarios.floorEntry(op.startNanos());
      String scenarioName = scenario == null ? "default" : scenario.getValue();
      byScenario.merge(scenarioName, new Tally(1, ok ? 1 : 0), DnsAvailabilityChecker::sum);
      byCondition.merge(condition(op.startNanos(), faults).wire(), new Tally(1, ok ? 1 : 0), DnsAvailabilityChecker::sum);
      byNode.merge(op.node(), new Tally(1, ok ? 1 : 0), DnsAvailabilityChecker::sum);
    }
    if (byScenario.isEmpty()) {
      return out.unknown("no DNS query to a node that was up").stat("excludedNodeDown", excluded).build();
    }
    judge("scenario", byScenario, out);
    judge("condition", byCondition, out);
    return out.stat("byScenario", shares(byScenario)).stat("byCondition", shares(byCondition))
        .stat("byNode", shares(byNode)).stat("queries", counts(byScenario)).stat("excludedNodeDown", excluded)
        .stat("minShare", minShare).build();
  }

  private void judge(String what, Map<String, Tally> tallies, CheckResult.Builder out) {
    tallies.forEach((key, tally) -> {
      if (tally.share() < minShare) {
        out.anomaly(new Anomaly("dns-unavailable", null, null,
            String.format(java.util.Locale.ROOT, "%s %s: %d of %d DNS queries to up nodes answered (%.4f < %.4f)",
                what, key, tally.answered(), tally.asked(), tally.share(), minShare),
            List.of()));
      }
    });
  }

  private boolean down(String node, long from, long to, List<FaultInterval> faults) {
    long grace = restartGrace.toNanos();
    for (FaultInterval f : faults) {
      if (f.kind().stopsTargets() && f.nodes().contains(node)) {
        long end = f.endNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : f.endNanos() + grace;
        if (f.startNanos() < to && from < end) {
          return true;
        }
      }
    }
    return false;
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
