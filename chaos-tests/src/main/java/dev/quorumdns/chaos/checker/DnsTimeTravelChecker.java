package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * No DNS time travel: per node and name, once a node has answered with a state, it never answers
 * with a state that only older writes explain. Each answer (a VIP or NXDOMAIN) is explained by the
 * writes that could have produced it (PUTs returning that VIP or of unknown outcome; deletes; the
 * initial absence); answer B, after answer A on the same node, travels back in time when every
 * explanation of B finished before any explanation of A began. Stateless.
 */
public final class DnsTimeTravelChecker implements Checker {
  /**
   * An answer with the window of writes that explain it: earliest invocation, latest completion.
   */
  private record Explained(Operation answer, long earliestStart, long latestEnd) {}

  @Override
  public String name() {
    return "dns-monotonic";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    long judged = 0;
    long unexplained = 0;
    for (NameOps ops : NameOps.of(history).values()) {
      Map<String, List<Explained>> byNode = new TreeMap<>();
      for (Operation answer : ops.answers()) {
        Explained e = explain(ops, answer);
        if (e == null) {
          unexplained++;
          continue;
        }
        byNode.computeIfAbsent(answer.node(), k -> new ArrayList<>()).add(e);
      }
      for (List<Explained> answers : byNode.values()) {
        judged += answers.size();
        travels(ops.name(), answers, out);
      }
    }
    return out.judged(judged)
        .stat("answersJudged", judged)
        .stat("answersWithoutWrite", unexplained)
        .build();
  }

  /**
   * Null when no write explains the answer (the VIP checkers report that; nothing to order here).
   */
  private static Explained explain(NameOps ops, Operation answer) {
    long earliest = Long.MAX_VALUE;
    long latest = Long.MIN_VALUE;
    boolean any = false;
    if (NameOps.isNxdomain(answer)) {
      earliest = -1;
      latest = -1;
      any = true;
      for (Operation d : ops.deletes()) {
        if (d.start() < answer.end()) {
          earliest = Math.min(earliest, d.start());
          latest = Math.max(latest, d.end());
        }
      }
    } else {
      for (Operation put : ops.puts()) {
        boolean couldGiveVip = put.isInfo() || put.vip() == null || put.vip().equals(answer.vip());
        if (couldGiveVip && put.start() < answer.end()) {
          earliest = Math.min(earliest, put.start());
          latest = Math.max(latest, put.end());
          any = true;
        }
      }
    }
    return any ? new Explained(answer, earliest, latest) : null;
  }

  private static void travels(String name, List<Explained> answers, CheckResult.Builder out) {
    List<Explained> byEnd = new ArrayList<>(answers);
    byEnd.sort(Comparator.comparingLong(e -> e.answer().end()));
    long[] ends = byEnd.stream().mapToLong(e -> e.answer().end()).toArray();
    Explained[] newestBefore = new Explained[byEnd.size()];
    Explained best = null;
    for (int i = 0; i < byEnd.size(); i++) {
      Explained e = byEnd.get(i);
      if (best == null || e.earliestStart() > best.earliestStart()) {
        best = e;
      }
      newestBefore[i] = best;
    }
    for (Explained later : answers) {
      int i = lastBelow(ends, later.answer().start());
      if (i < 0) {
        continue;
      }
      Explained earlier = newestBefore[i];
      if (later.latestEnd() < earlier.earliestStart()) {
        out.anomaly(
            new Anomaly(
                "dns-time-travel",
                name,
                later.answer().node(),
                "node answered "
                    + earlier.answer().brief()
                    + ", then went back to "
                    + later.answer().brief()
                    + ", a state only writes that ended before the first answer's explanation began can give",
                List.of(
                    earlier.answer().completion().index(), later.answer().completion().index())));
      }
    }
  }

  private static int lastBelow(long[] sorted, long value) {
    int lo = 0;
    int hi = sorted.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
