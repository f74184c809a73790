package dev.quorumdns.node.raft;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * Where a write's time goes inside this node, one timer per stage ({@code
 * quorumdns_write_stage_seconds{stage}}):
 *
 * <ul>
 *   <li>{@code queue}: waiting in the group-commit queue for an in-flight slot;
 *   <li>{@code raft}: from handing the entry to Ratis until its reply arrives (on the leader
 *       itself, or through a forward to the leader);
 *   <li>{@code leader_start}: the leader turning a request into a log entry ({@code
 *       startTransaction});
 *   <li>{@code leader_commit}: on the leader, from that log entry's creation to the start of its
 *       apply: log append and flush here and on a follower, commit, and the wait for the apply
 *       thread;
 *   <li>{@code apply}: decoding and applying a committed entry (every replica).
 * </ul>
 *
 * Thread-safe.
 */
final class WriteStages {
  private final Timer queue;
  private final Timer raft;
  private final Timer leaderStart;
  private final Timer leaderCommit;
  private final Timer apply;

  WriteStages(MeterRegistry meters) {
    this.queue = timer(meters, "queue");
    this.raft = timer(meters, "raft");
    this.leaderStart = timer(meters, "leader_start");
    this.leaderCommit = timer(meters, "leader_commit");
    this.apply = timer(meters, "apply");
  }

  /** Timers that go nowhere, until the node binds its meter registry. */
  static WriteStages unbound() {
    return new WriteStages(new SimpleMeterRegistry());
  }

  private static Timer timer(MeterRegistry meters, String stage) {
    return Timer.builder("quorumdns.write.stage")
        .description("Time a write spends in one stage inside this node (see the stage tag)")
        .tag("stage", stage)
        .register(meters);
  }

  void queue(long startNanos) {
    queue.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void raft(long startNanos) {
    raft.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void leaderStart(long startNanos) {
    leaderStart.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void leaderCommit(long startNanos) {
    leaderCommit.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void apply(long startNanos) {
    apply.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }
}
