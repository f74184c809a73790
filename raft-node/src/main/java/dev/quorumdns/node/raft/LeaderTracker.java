package dev.quorumdns.node.raft;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The leader as this node sees it right now, and ways to wait for one. Ratis tells the state
 * machine when a leader is elected (and, with null, when this node stops following one), but a dead
 * leader stays "known" until an election timeout, so the current value is read live from the
 * division and elections wake waiters. Thread-safe; {@link #elected} is called from Ratis threads
 * and must not block.
 */
final class LeaderTracker {
  private final Supplier<RaftPeerId> live;
  private final AtomicReference<CompletableFuture<RaftPeerId>> next =
      new AtomicReference<>(new CompletableFuture<>());
  private final AtomicLong elections = new AtomicLong();

  LeaderTracker(Supplier<RaftPeerId> live) {
    this.live = live;
  }

  /**
   * A leader was elected ({@code leader} not null) or this node lost its leader (null: nobody is
   * woken).
   */
  void elected(RaftPeerId leader) {
    if (leader == null) {
      return;
    }
    elections.incrementAndGet();
    next.getAndSet(new CompletableFuture<>()).complete(leader);
  }

  /** The leader this node knows of now, or null. */
  RaftPeerId leader() {
    return live.get();
  }

  /** How many times a leader was elected, as seen by this node. */
  long changes() {
    return elections.get();
  }

  /** Completes with the leader, or with null if none is known within {@code timeout}. */
  CompletableFuture<RaftPeerId> await(Duration timeout) {
    CompletableFuture<RaftPeerId> waiter = next.get();
    RaftPeerId l = live.get();
    if (l != null) {
      return CompletableFuture.completedFuture(l);
    }
    return waiter
        .copy()
        .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(elected -> elected != null ? elected : live.get());
  }

  /**
   * After {@code failed} did not answer: completes with the next leader elected, or, if none is
   * elected within {@code atMost}, with whatever leader is known then (possibly {@code failed}
   * again, or null).
   */
  CompletableFuture<RaftPeerId> awaitOther(RaftPeerId failed, Duration atMost) {
    CompletableFuture<RaftPeerId> waiter = next.get();
    RaftPeerId l = live.get();
    if (l != null && !l.equals(failed)) {
      return CompletableFuture.completedFuture(l);
    }
    return waiter
        .copy()
        .completeOnTimeout(null, atMost.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(elected -> elected != null ? elected : live.get());
  }
}
