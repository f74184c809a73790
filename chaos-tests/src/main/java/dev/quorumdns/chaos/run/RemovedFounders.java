package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.cluster.ChaosCluster;
import dev.quorumdns.chaos.cluster.ChaosNode;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.nemesis.ClusterControl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds back, from empty, a founding member that the autopilot removed and that then stopped itself
 * ("Wipe ... before it joins again"), which is what an operator does next.
 *
 * <p>The autopilot removes a member its leader has not heard from for {@code autopilot-dead-after}
 * (45 s in the chaos cluster), by rule. On a loaded box a killed node can stay out of contact that
 * long: CI rehearsal short-4716435 (n2's Raft server up 32 s after its kill, its leader still
 * without an answer from it 14 s later) and landing CI short-11641090 (n2 removed during the kill
 * scenario; the run then waited for it before the next scenario until its deadline). Without this,
 * such a member stays down for the rest of the run and every later fault that needs all nodes up is
 * skipped. Each re-addition is a {@code member-join} fault interval in the history; the autopilot
 * checker judges every removal it sees.
 *
 * <p>Not thread-safe: one run's script thread uses it.
 */
final class RemovedFounders {
  private static final Logger LOG = LoggerFactory.getLogger(RemovedFounders.class);

  /** The first line a node's process writes; what follows the last one is its latest run. */
  static final String RUN_STARTS = "starting node";

  /** A node's last lines looked at: its stop as removed is the last three it writes. */
  private static final int TAIL_LINES = 12;

  /** A node waited on is looked at no more often than this (each look is a docker exec). */
  private static final long LOOK_EVERY_NANOS = 2_000_000_000L;

  private final ChaosCluster cluster;
  private final List<String> founders;
  private final ClusterControl control;
  private final HistoryRecorder recorder;
  private final Map<String, Long> nextLook = new HashMap<>();

  /** The founders are the cluster's members now. */
  RemovedFounders(ChaosCluster cluster, ClusterControl control, HistoryRecorder recorder) {
    this.cluster = cluster;
    this.founders = List.copyOf(cluster.ids());
    this.control = control;
    this.recorder = recorder;
  }

  /**
   * Adds founder {@code id} back when its latest run stopped as removed and its process is gone;
   * looks at most every 2 s per node, so it can sit in a readiness poll. True when it added it
   * back.
   */
  boolean rejoinIfRemoved(String id) {
    if (!founders.contains(id)) {
      return false;
    }
    long now = System.nanoTime();
    Long next = nextLook.get(id);
    if (next != null && now - next < 0) {
      return false;
    }
    nextLook.put(id, now + LOOK_EVERY_NANOS);
    ChaosNode node = cluster.node(id);
    if (!stoppedAsRemoved(node.logTail(TAIL_LINES), node::processAlive)) {
      return false;
    }
    recorder.phase(History.INJECT, FaultKind.MEMBER_JOIN.wire());
    String join = recorder.faultStarted(FaultKind.MEMBER_JOIN, List.of(id));
    LOG.warn("{} was removed by the autopilot and stopped; adding it back from empty", id);
    try {
      control.addMember(id);
    } finally {
      recorder.faultStopped(join, FaultKind.MEMBER_JOIN, List.of(id));
    }
    return true;
  }

  /** {@link #rejoinIfRemoved} for each founder, looking at each now. */
  void rejoinAll() {
    for (String id : founders) {
      nextLook.remove(id);
      rejoinIfRemoved(id);
    }
  }

  /**
   * Whether a node's log tail says its latest run stopped as removed and its process is gone (asked
   * only then). A removal in an earlier run, since added back, is not one.
   */
  static boolean stoppedAsRemoved(String tail, BooleanSupplier alive) {
    if (tail == null) {
      return false;
    }
    int run = tail.lastIndexOf(RUN_STARTS);
    String latest = run < 0 ? tail : tail.substring(run);
    return latest.contains(ClusterControl.STOPPED_AS_REMOVED) && !alive.getAsBoolean();
  }
}
