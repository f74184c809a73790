package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.ClusterStatus;
import dev.quorumdns.chaos.client.DnsApi;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.client.RegistryApi;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * After the faults are healed and the workload stopped: marks {@code heal}, polls every node's
 * revision (recorded) until they agree or a deadline passes, marks {@code final}, then reads the
 * whole registry ({@code ?stale}) and resolves every name on every node. Runs on the calling
 * thread.
 */
public final class FinalPhase {
  private static final int PROCESS = 1_000_000;

  private final RegistryApi api;
  private final DnsApi dns;
  private final HistoryRecorder recorder;

  public FinalPhase(RegistryApi api, DnsApi dns, HistoryRecorder recorder) {
    this.api = api;
    this.dns = dns;
    this.recorder = recorder;
  }

  /**
   * @return true when the nodes agreed on one revision before {@code convergeWithin}
   */
  public boolean run(
      List<String> nodes, List<String> names, Duration convergeWithin, Duration poll) {
    recorder.phase("heal", null);
    long deadline = System.nanoTime() + convergeWithin.toNanos();
    boolean converged = awaitOneRevision(nodes, deadline, poll);
    recorder.phase("final", null);
    // The whole-registry reads must agree as well: the cluster may still write by itself just after
    // heal (a
    // member re-added by the last fault publishes its node record), between the last poll and the
    // reads. Then
    // poll and read again, within the same deadline; the checkers judge each node's last read.
    while (!readEverything(nodes) && System.nanoTime() < deadline) {
      converged = awaitOneRevision(nodes, deadline, poll);
    }
    for (String node : nodes) {
      for (String name : names) {
        Op invoke = recorder.invoke(Op.invoke(PROCESS, OpKind.RESOLVE_DNS, node, name, null));
        recorder.complete(invoke, Workload.completion(invoke, dns.resolve(node, name)));
      }
    }
    return converged;
  }

  /** Each node's last successful whole-registry read's revision (node → revision). */
  public static Map<String, Long> lastRevisions(History history) {
    Map<String, Long> out = new HashMap<>();
    for (Op op : history.ops()) {
      if (op.f() == OpKind.READ_ALL && op.isOk() && op.revision() != null) {
        out.put(op.node(), op.revision());
      }
    }
    return out;
  }

  /** Polls every node's revision (recorded) until they agree or {@code deadline} passes. */
  private boolean awaitOneRevision(List<String> nodes, long deadline, Duration poll) {
    boolean converged = false;
    while (!converged && System.nanoTime() < deadline) {
      Set<Long> revisions = new HashSet<>();
      boolean all = true;
      for (String node : nodes) {
        Op invoke = recorder.invoke(Op.invoke(PROCESS, OpKind.CLUSTER_STATUS, node, null, null));
        ClusterStatus s = api.cluster(node);
        Op done =
            s.reachable()
                ? invoke.complete(OpType.OK, s.leader(), null, "ok").withRevision(s.revision())
                : invoke.complete(OpType.FAIL, null, null, "unreachable").withError(s.error());
        recorder.complete(invoke, done);
        all &= s.reachable();
        revisions.add(s.revision());
      }
      converged = all && revisions.size() == 1;
      if (!converged) {
        pause(poll);
      }
    }
    return converged;
  }

  /**
   * Reads the whole registry of every node (recorded); true if every read succeeded at one
   * revision.
   */
  private boolean readEverything(List<String> nodes) {
    Set<Long> revisions = new HashSet<>();
    boolean all = true;
    for (String node : nodes) {
      Op invoke = recorder.invoke(Op.invoke(PROCESS, OpKind.READ_ALL, node, null, null));
      Outcome outcome = api.list(node, true);
      recorder.complete(invoke, Workload.completion(invoke, outcome));
      all &= outcome.type() == OpType.OK;
      revisions.add(outcome.revision());
    }
    return all && revisions.size() == 1;
  }

  private static void pause(Duration poll) {
    try {
      Thread.sleep(poll.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
