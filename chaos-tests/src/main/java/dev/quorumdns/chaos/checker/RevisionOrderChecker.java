package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Revisions as a versioned register (the contract: a revision is the Raft index of the entry that
 * made a change, the same on every replica, and every read answers the revision it read at, read
 * before the data):
 *
 * <ul>
 *   <li><b>writes</b>: an acknowledged PUT that changed the service has a revision greater than the
 *       revision of every such write acknowledged before it was invoked (its entry comes later in
 *       the log). Judged: {@code created} answers, and {@code updated} answers whose spec no
 *       earlier PUT of that name (that did not fail) sent, so the PUT cannot have been a no-op (a
 *       no-op answers the service's older revision). Delete answers carry the deleted service's
 *       last revision, not the delete's, so deletes are not judged.
 *   <li><b>reads</b>: the revision one node answers ({@code GET /v1/services}, {@code /v1/cluster})
 *       never goes back, except across a fault that may have restarted that node (any fault on it
 *       or on every node but a pause, a partition or packet loss). Why the exception: the node
 *       writes RocksDB without fsync and replays the Raft log after the applied index RocksDB holds
 *       (docs/architecture.md, Storage), and a node restored or re-added from scratch starts from
 *       an older state; a running process only ever applies forward.
 * </ul>
 *
 * Cannot see: the revision of a write whose outcome is unknown, of a no-op PUT, of deletes, and
 * reads of one service ({@code revision} there is the service's, not the read's). Stateless.
 */
public final class RevisionOrderChecker implements Checker {
  @Override
  public String name() {
    return "revision-order";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    long writes = writes(history, out);
    long reads = reads(history, out);
    return out.stat("writesJudged", writes)
        .stat("readsJudged", reads)
        .judged(writes + reads)
        .build();
  }

  private static long writes(History history, CheckResult.Builder out) {
    Map<String, Set<String>> sent = new HashMap<>();
    List<Operation> judged = new ArrayList<>();
    for (Operation op : history.operations()) {
      if (!op.f().isPut() || op.isFail()) {
        continue;
      }
      Set<String> specs = sent.computeIfAbsent(op.name(), k -> new HashSet<>());
      boolean surelyChanged =
          "created".equals(op.result())
              || "updated".equals(op.result()) && !specs.contains(op.invoke().value());
      if (op.isOk() && op.completion().revision() != null && surelyChanged) {
        judged.add(op);
      }
      specs.add(op.invoke().value());
    }
    List<Operation> byEnd = new ArrayList<>(judged);
    byEnd.sort(Comparator.comparingLong(Operation::end));
    int next = 0;
    Operation highest = null;
    long count = 0;
    for (Operation op : judged) {
      while (next < byEnd.size() && byEnd.get(next).end() < op.start()) {
        Operation done = byEnd.get(next++);
        if (highest == null || done.completion().revision() > highest.completion().revision()) {
          highest = done;
        }
      }
      if (highest == null) {
        continue;
      }
      count++;
      if (op.completion().revision() <= highest.completion().revision()) {
        out.anomaly(
            new Anomaly(
                "revision-not-increasing",
                op.name(),
                op.node(),
                op.brief()
                    + " was acknowledged at revision "
                    + op.completion().revision()
                    + ", yet "
                    + highest.brief()
                    + " had been acknowledged at "
                    + highest.completion().revision()
                    + " before it began",
                List.of(highest.completion().index(), op.completion().index())));
      }
    }
    return count;
  }

  private static long reads(History history, CheckResult.Builder out) {
    Map<String, List<Operation>> byNode = new HashMap<>();
    for (Operation op : history.operations()) {
      if ((op.f() == OpKind.READ_ALL || op.f() == OpKind.CLUSTER_STATUS)
          && op.isOk()
          && op.completion().revision() != null
          && op.node() != null) {
        byNode.computeIfAbsent(op.node(), k -> new ArrayList<>()).add(op);
      }
    }
    long count = 0;
    for (Map.Entry<String, List<Operation>> e : byNode.entrySet()) {
      List<Operation> reads = e.getValue();
      List<FaultInterval> restarts = restartFaults(history, e.getKey());
      for (int i = 0; i < reads.size(); i++) {
        Operation op = reads.get(i);
        // An earlier read may have been answered before a restart unless it began after every
        // restart fault that started before this one ended (asked once per read, not per pair: a
        // whole extended run has thousands of reads per node and 150 faults).
        long restartedUntil = restartedUntil(restarts, op);
        Operation highest = null;
        for (int j = 0; j < i; j++) {
          Operation earlier = reads.get(j);
          if (earlier.end() < op.start()
              && (highest == null
                  || earlier.completion().revision() > highest.completion().revision())
              && earlier.startNanos() >= restartedUntil) {
            highest = earlier;
          }
        }
        if (highest == null) {
          continue;
        }
        count++;
        if (op.completion().revision() < highest.completion().revision()) {
          out.anomaly(
              new Anomaly(
                  "revision-went-back",
                  null,
                  op.node(),
                  op.node()
                      + " answered revision "
                      + op.completion().revision()
                      + " in "
                      + op.brief()
                      + " after "
                      + highest.completion().revision()
                      + " in "
                      + highest.brief()
                      + ", with no restart between",
                  List.of(highest.completion().index(), op.completion().index())));
        }
      }
    }
    return count;
  }

  /** The faults that may restart {@code node}: any but pauses, partitions and packet loss. */
  private static List<FaultInterval> restartFaults(History history, String node) {
    List<FaultInterval> out = new ArrayList<>();
    for (FaultInterval f : history.faults()) {
      String kind = f.kind().name();
      boolean restarts =
          !kind.startsWith("PAUSE") && !kind.startsWith("PARTITION") && !kind.equals("PACKET_LOSS");
      if (restarts && (f.nodes().isEmpty() || f.nodes().contains(node))) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * The latest end of a restart fault that began before {@code later} did: an earlier read that
   * began before it may have been answered before a restart that overlaps the span between the two
   * reads; Long.MIN_VALUE when none.
   */
  private static long restartedUntil(List<FaultInterval> restarts, Operation later) {
    long until = Long.MIN_VALUE;
    for (FaultInterval f : restarts) {
      if (f.startNanos() < later.startNanos()) {
        until = Math.max(until, f.endNanos());
      }
    }
    return until;
  }
}
