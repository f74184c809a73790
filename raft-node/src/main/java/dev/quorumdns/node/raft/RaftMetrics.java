package dev.quorumdns.node.raft;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.server.RaftServer;

/**
 * Raft gauges for Micrometer (Ratis has no bridge): role, term, commit and applied index, leader
 * changes; the write-stage timers ({@link WriteStages}) and, when switched on, Ratis' own timers
 * ({@link RatisTimers}). Gauges read the live division on each scrape. Thread-safe.
 */
public final class RaftMetrics {
  private RaftMetrics() {}

  public static void bind(RaftRuntime raft, MeterRegistry meters) {
    raft.bindMeters(meters);
    gauge(
        meters,
        "quorumdns.raft.term",
        "Current Raft term",
        raft,
        d -> d.getInfo().getCurrentTerm());
    gauge(
        meters,
        "quorumdns.raft.commit.index",
        "Highest log index known to be committed",
        raft,
        d -> d.getRaftLog().getLastCommittedIndex());
    gauge(
        meters,
        "quorumdns.raft.applied.index",
        "Highest log index applied to this replica",
        raft,
        d -> d.getInfo().getLastAppliedIndex());
    gauge(
        meters,
        "quorumdns.raft.leader.known",
        "1 if this node knows a leader",
        raft,
        d -> d.getInfo().getLeaderId() == null ? 0 : 1);
    for (RaftProtos.RaftPeerRole role :
        new RaftProtos.RaftPeerRole[] {
          RaftProtos.RaftPeerRole.LEADER,
          RaftProtos.RaftPeerRole.FOLLOWER,
          RaftProtos.RaftPeerRole.CANDIDATE,
          RaftProtos.RaftPeerRole.LISTENER
        }) {
      Gauge.builder("quorumdns.raft.role", raft, r -> roleIs(r, role))
          .description("1 for this node's current Raft role")
          .tag("role", role.name().toLowerCase(Locale.ROOT))
          .register(meters);
    }
    FunctionCounter.builder("quorumdns.raft.leader.changes", raft, RaftRuntime::leaderChanges)
        .description("Leader changes seen by this node")
        .register(meters);
  }

  private static double roleIs(RaftRuntime r, RaftProtos.RaftPeerRole role) {
    try {
      return r.division().getInfo().getCurrentRole() == role ? 1 : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void gauge(
      MeterRegistry meters,
      String name,
      String help,
      RaftRuntime raft,
      ToDoubleFunction<RaftServer.Division> f) {
    Gauge.builder(
            name,
            raft,
            r -> {
              try {
                return f.applyAsDouble(r.division());
              } catch (IOException | RuntimeException e) {
                return Double.NaN;
              }
            })
        .description(help)
        .register(meters);
  }
}
