package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A name's VIP never changes while it is registered, as DNS shows it on every node.
 *
 * <ul>
 *   <li>After an acknowledged PUT returned VIP v, every NOERROR answer for the name on any node
 *       that begins after the PUT completed, and ends before any delete of the name could have
 *       taken effect, is v. NXDOMAIN (the registration not yet applied there) is allowed.
 *   <li>Between deletes, once the name has been (re)registered, all NOERROR answers agree on one
 *       VIP, even when no PUT was acknowledged (outcome unknown).
 * </ul>
 *
 * Answers that overlap a delete that may have taken effect are not judged. Stateless.
 */
public final class VipStabilityChecker implements Checker {
  @Override
  public String name() {
    return "vip-stable";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    long judged = 0;
    long grouped = 0;
    for (NameOps ops : NameOps.of(history).values()) {
      judged += acknowledged(ops, out);
      grouped += consistentBetweenDeletes(ops, out);
    }
    return out.judged(judged + grouped)
        .stat("answersJudged", judged)
        .stat("answersGroupedBetweenDeletes", grouped)
        .build();
  }

  private static long acknowledged(NameOps ops, CheckResult.Builder out) {
    long judged = 0;
    for (Operation put : ops.puts()) {
      if (!put.isOk() || put.vip() == null) {
        continue;
      }
      long windowEnd = Long.MAX_VALUE;
      for (Operation d : ops.deletes()) {
        if (d.end() > put.start()) {
          windowEnd = Math.min(windowEnd, d.start());
        }
      }
      for (Operation answer : ops.answers()) {
        if (!NameOps.isAddress(answer)
            || answer.start() <= put.end()
            || answer.end() >= windowEnd) {
          continue;
        }
        judged++;
        if (!put.vip().equals(answer.vip())) {
          out.anomaly(
              new Anomaly(
                  "vip-changed",
                  ops.name(),
                  answer.node(),
                  "acknowledged "
                      + put.brief()
                      + " but later "
                      + answer.brief()
                      + " before any delete",
                  List.of(put.completion().index(), answer.completion().index())));
        }
      }
    }
    return judged;
  }

  private static long consistentBetweenDeletes(NameOps ops, CheckResult.Builder out) {
    long grouped = 0;
    Map<Long, Map<String, List<Operation>>> bySegment = new TreeMap<>();
    for (Operation answer : ops.answers()) {
      if (!NameOps.isAddress(answer) || ops.deleteMayFallWithin(answer.start(), answer.end())) {
        continue;
      }
      long segmentStart = -1;
      for (Operation d : ops.deletes()) {
        if (d.end() < answer.start()) {
          segmentStart = Math.max(segmentStart, d.end());
        }
      }
      if (!registeredWithin(ops, segmentStart, answer.start())) {
        continue;
      }
      grouped++;
      bySegment
          .computeIfAbsent(segmentStart, k -> new TreeMap<>())
          .computeIfAbsent(answer.vip(), k -> new ArrayList<>())
          .add(answer);
    }
    bySegment.forEach(
        (segmentStart, byVip) -> {
          if (byVip.size() > 1) {
            List<Long> shown = new ArrayList<>();
            StringBuilder sb =
                new StringBuilder("between deletes, DNS answered ")
                    .append(byVip.size())
                    .append(" VIPs:");
            byVip.forEach(
                (vip, answers) -> {
                  sb.append(' ')
                      .append(vip)
                      .append(" (")
                      .append(answers.size())
                      .append("x, first ")
                      .append(answers.get(0).brief())
                      .append(')');
                  shown.add(answers.get(0).completion().index());
                });
            out.anomaly(new Anomaly("vip-inconsistent", ops.name(), null, sb.toString(), shown));
          }
        });
    return grouped;
  }

  private static boolean registeredWithin(NameOps ops, long from, long to) {
    for (Operation put : ops.puts()) {
      if (put.start() > from && put.start() < to) {
        return true;
      }
    }
    return false;
  }
}
