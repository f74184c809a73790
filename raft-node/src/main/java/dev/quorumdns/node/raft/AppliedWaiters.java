package dev.quorumdns.node.raft;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Futures that complete once this replica has applied a given log index (a read barrier waits on
 * one). The apply thread reports each applied index; waiters are completed on {@code callbacks},
 * never on the apply thread. Thread-safe.
 */
final class AppliedWaiters {
  private final Executor callbacks;
  private final ConcurrentSkipListMap<Long, CompletableFuture<Long>> waiting =
      new ConcurrentSkipListMap<>();
  private volatile long applied;

  AppliedWaiters(Executor callbacks) {
    this.callbacks = callbacks;
  }

  /** Completes with {@code index} once this replica has applied it (at once if it has). */
  CompletableFuture<Long> await(long index) {
    if (applied >= index) {
      return CompletableFuture.completedFuture(index);
    }
    CompletableFuture<Long> f = waiting.computeIfAbsent(index, i -> new CompletableFuture<>());
    long now = applied;
    if (now >= index) {
      release(now); // applied moved while the waiter was being added
    }
    return f;
  }

  /** The replica applied up to {@code index}. Apply thread (or Ratis' snapshot installer) only. */
  void advanced(long index) {
    if (index <= applied) {
      return;
    }
    applied = index;
    if (!waiting.isEmpty()) {
      release(index);
    }
  }

  private void release(long upTo) {
    ConcurrentNavigableMap<Long, CompletableFuture<Long>> due = waiting.headMap(upTo, true);
    for (Map.Entry<Long, CompletableFuture<Long>> e : due.entrySet()) {
      if (due.remove(e.getKey(), e.getValue())) {
        long index = e.getKey();
        CompletableFuture<Long> f = e.getValue();
        try {
          callbacks.execute(() -> f.complete(index));
        } catch (RejectedExecutionException closing) {
          f.complete(index);
        }
      }
    }
  }
}
