package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.ClusterView;
import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the autopilot promises, judged from the leader's {@code GET /v1/cluster} answers the
 * autopilot scenario records ({@link ClusterView}, polled about twice a second):
 *
 * <ul>
 *   <li>{@code too-many-voters}: never more voters than {@code autopilot-max-voters};
 *   <li>{@code even-voters}: four or more voters (an even number) never last longer than {@code
 *       settle} under one leader;
 *   <li>{@code dead-member-kept}: a member the leader has not heard from for {@code dead-after +
 *       settle} is gone, unless removing it would leave fewer healthy voters than a majority (a
 *       dead voter never holds the quorum hostage);
 *   <li>{@code removed-early}: a member the autopilot removed (no explicit removal of it under way)
 *       had been out of contact for at least {@code dead-after} by the next poll (less 2 s: the
 *       leader's figures are from its last look, once a second; seen in a run: 44.67 s by the polls
 *       when the autopilot logged 45.2 s);
 *   <li>{@code script-failed}: the scenario's script did not finish (a step's deadline passed);
 *   <li>{@code two-removals}: the autopilot never removes two members between polls less than a
 *       second apart (one change at a time, one look a second).
 * </ul>
 *
 * Sees only what the polls show: a promotion and demotion between two polls, or a member healthy
 * between them, is invisible. Valid with no polls when the run had no autopilot scenario; unknown
 * when that scenario ran but no leader answered. Stateless.
 */
public final class AutopilotChecker implements Checker {
  /** The scenario whose polls this checker reads. */
  public static final String SCENARIO = "autopilot";

  /** Phase marker the scenario records when its script failed (value: why). */
  public static final String FAILED = "autopilot-failed";

  private static final long TICK_NANOS = 1_000_000_000L;

  private final AutopilotRules rules;

  public AutopilotChecker(AutopilotRules rules) {
    this.rules = rules;
  }

  @Override
  public String name() {
    return "autopilot";
  }

  private record Poll(Operation op, ClusterView view) {}

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    for (Op op : history.ops()) {
      if (op.f() == OpKind.PHASE && FAILED.equals(op.name())) {
        out.anomaly(
            new Anomaly(
                "script-failed",
                null,
                null,
                "the autopilot scenario did not finish: " + op.value(),
                List.of(op.index())));
      }
    }
    List<Poll> polls = new ArrayList<>();
    for (Operation op : history.operations()) {
      if (op.f() == OpKind.CLUSTER_STATUS
          && op.invoke().process() == ClusterView.PROCESS
          && op.isOk()
          && op.completion().value() != null) {
        ClusterView view = ClusterView.parse(op.completion().value());
        if (op.node().equals(view.leader()) && view.hasHealth()) {
          polls.add(new Poll(op, view));
        }
      }
    }
    if (polls.isEmpty()) {
      if (history.scenarios().containsValue(SCENARIO)) {
        return out.unknown("no leader answered a cluster poll in the autopilot scenario").build();
      }
      return out.stat("leaderPolls", 0).build();
    }
    long settle = rules.settle().toNanos();
    long deadAfter = rules.deadAfter().toMillis();
    int maxSeen = 0;
    long evenSince = -1;
    String evenLeader = null;
    boolean evenReported = false;
    Set<String> keptReported = new HashSet<>();
    int promotions = 0;
    int demotions = 0;
    int autopilotRemovals = 0;
    int explicitRemovals = 0;
    int joins = 0;
    long longestDeadMs = 0;
    Poll previous = null;
    for (Poll p : polls) {
      ClusterView v = p.view();
      int voters = v.voters().size();
      maxSeen = Math.max(maxSeen, voters);
      if (voters > rules.maxVoters()) {
        out.anomaly(
            anomaly(
                "too-many-voters",
                v.leader(),
                voters + " voters " + v.voters() + " > max " + rules.maxVoters(),
                p));
      }
      long at = p.op().startNanos();
      if (voters >= 4 && voters % 2 == 0 && v.leader().equals(evenLeader) && evenSince >= 0) {
        if (!evenReported && at - evenSince > settle) {
          out.anomaly(
              anomaly(
                  "even-voters",
                  v.leader(),
                  voters
                      + " voters "
                      + v.voters()
                      + " for "
                      + (at - evenSince) / 1_000_000
                      + " ms under leader "
                      + v.leader()
                      + " (settle "
                      + rules.settle().toMillis()
                      + " ms)",
                  p));
          evenReported = true;
        }
      } else if (voters >= 4 && voters % 2 == 0) {
        evenSince = at;
        evenLeader = v.leader();
        evenReported = false;
      } else {
        evenSince = -1;
        evenLeader = null;
      }
      for (ClusterView.Member m : v.members()) {
        if (m.id().equals(v.leader()) || m.lastContactMs() == null) {
          continue;
        }
        longestDeadMs = Math.max(longestDeadMs, m.lastContactMs());
        if (m.lastContactMs() >= deadAfter + rules.settle().toMillis()
            && removable(v, m)
            && keptReported.add(m.id() + "@" + v.term())) {
          out.anomaly(
              anomaly(
                  "dead-member-kept",
                  m.id(),
                  m.id()
                      + " ("
                      + (m.voter() ? "voter" : "listener")
                      + ") unreachable for "
                      + m.lastContactMs()
                      + " ms, still a member (dead after "
                      + deadAfter
                      + " ms + "
                      + rules.settle().toMillis()
                      + " ms to act; healthy voters "
                      + healthyVoters(v)
                      + ")",
                  p));
        }
      }
      if (previous != null) {
        ClusterView before = previous.view();
        List<String> removedByAutopilot = new ArrayList<>();
        for (ClusterView.Member m : before.members()) {
          if (v.member(m.id()).isEmpty()) {
            if (explicitlyRemoved(history, m.id(), previous.op().startNanos(), p.op().endNanos())) {
              explicitRemovals++;
              continue;
            }
            autopilotRemovals++;
            removedByAutopilot.add(m.id());
            long elapsedMs = (p.op().endNanos() - previous.op().startNanos()) / 1_000_000;
            long contact = m.lastContactMs() == null ? 0 : m.lastContactMs();
            // the leader's health figures are from its last look (once a second), so they may be a
            // tick old
            if (!m.id().equals(before.leader())
                && contact + elapsedMs + 2 * TICK_NANOS / 1_000_000 < deadAfter) {
              out.anomaly(
                  anomaly(
                      "removed-early",
                      m.id(),
                      m.id()
                          + " removed with no explicit removal under way, out of contact for at"
                          + " most "
                          + (contact + elapsedMs)
                          + " ms (dead after "
                          + deadAfter
                          + " ms)",
                      p));
            }
          } else if (!m.voter() && v.member(m.id()).orElseThrow().voter()) {
            promotions++;
          } else if (m.voter() && !v.member(m.id()).orElseThrow().voter()) {
            demotions++;
          }
        }
        for (ClusterView.Member m : v.members()) {
          if (before.member(m.id()).isEmpty()) {
            joins++;
          }
        }
        if (removedByAutopilot.size() > 1
            && p.op().startNanos() - previous.op().endNanos() < TICK_NANOS) {
          out.anomaly(
              anomaly(
                  "two-removals",
                  null,
                  removedByAutopilot + " removed between two polls less than a second apart",
                  p));
        }
      }
      previous = p;
    }
    return out.stat("leaderPolls", polls.size())
        .stat("maxVoters", maxSeen)
        .stat("promotions", promotions)
        .stat("demotions", demotions)
        .stat("joins", joins)
        .stat("autopilotRemovals", autopilotRemovals)
        .stat("explicitRemovals", explicitRemovals)
        .stat("longestOutOfContactMs", longestDeadMs)
        .judged(polls.size())
        .build();
  }

  /** Whether the autopilot may remove {@code m}: a listener, or a voter whose loss keeps quorum. */
  private static boolean removable(ClusterView v, ClusterView.Member m) {
    if (!m.voter()) {
      return true;
    }
    long left = v.voters().size() - 1L;
    long healthyLeft =
        v.members().stream().filter(o -> o != m && o.voter() && v.healthy(o)).count();
    return left >= 1 && healthyLeft >= left / 2 + 1;
  }

  private static long healthyVoters(ClusterView v) {
    return v.members().stream().filter(o -> o.voter() && v.healthy(o)).count();
  }

  /** A removal the test asked for (member leaving, membership nemesis) overlapping the window. */
  private static boolean explicitlyRemoved(History history, String id, long from, long to) {
    for (FaultInterval f : history.faults()) {
      if ((f.kind() == FaultKind.MEMBER_LEAVE || f.kind() == FaultKind.MEMBER_CHANGE)
          && f.nodes().contains(id)
          && f.overlaps(from, to)) {
        return true;
      }
    }
    return false;
  }

  private static Anomaly anomaly(String type, String node, String message, Poll p) {
    return new Anomaly(type, null, node, message, List.of(p.op().completion().index()));
  }
}
