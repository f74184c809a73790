package dev.quorumdns.node.raft;

import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Group commit: while {@code maxInFlight} log entries are already on their way, new writes wait
 * here and then travel together as one {@link Command.Group} entry, each getting its own outcome
 * back. An idle cluster sends each write alone at once, so grouping only adds latency when writes
 * are queueing anyway. Thread-safe.
 */
final class WriteBatcher {
  private final Function<Command, CompletableFuture<WriteResult>> sender;
  private final int maxInFlight;
  private final int maxGroup;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongConsumer dequeued;

  private record Pending(
      Command command, CompletableFuture<WriteResult> result, long queuedNanos) {}

  WriteBatcher(
      Function<Command, CompletableFuture<WriteResult>> sender, int maxInFlight, int maxGroup) {
    this(sender, maxInFlight, maxGroup, queuedNanos -> {});
  }

  /**
   * @param dequeued told each write's {@link System#nanoTime} of arrival as it leaves the queue to
   *     be sent
   */
  WriteBatcher(
      Function<Command, CompletableFuture<WriteResult>> sender,
      int maxInFlight,
      int maxGroup,
      LongConsumer dequeued) {
    this.dequeued = dequeued;
    this.sender = sender;
    this.maxInFlight = maxInFlight;
    this.maxGroup = Math.min(maxGroup, Command.Group.MAX_COMMANDS);
  }

  CompletableFuture<WriteResult> submit(Command command) {
    CompletableFuture<WriteResult> f = new CompletableFuture<>();
    queue.add(new Pending(command, f, System.nanoTime()));
    dispatch();
    return f;
  }

  private void dispatch() {
    while (!queue.isEmpty()) {
      int n = inFlight.get();
      if (n >= maxInFlight) {
        return; // a completing entry dispatches what waits
      }
      if (!inFlight.compareAndSet(n, n + 1)) {
        continue;
      }
      List<Pending> batch = take();
      if (batch.isEmpty()) {
        inFlight.decrementAndGet();
        continue;
      }
      send(batch);
    }
  }

  /**
   * The next group: up to {@code maxGroup} writes from the head of the queue that change different
   * services. Commands of one entry share its revision, and the change log keeps one change per
   * service and revision: a create and a delete of the same name in one entry left watchers only
   * the delete, though the create had been acknowledged at that revision (chaos run short-706500,
   * chaos/s17 at revision 832). A write whose services depend on the state (a lease revoked or
   * expired takes endpoints out of whichever services hold them) travels alone. Under a lock so
   * that no other dispatcher takes a write between looking at it and taking it.
   */
  private List<Pending> take() {
    List<Pending> batch = new ArrayList<>();
    Set<ServiceKey> touched = new HashSet<>();
    synchronized (queue) {
      for (Pending p; batch.size() < maxGroup && (p = queue.peek()) != null; ) {
        Set<ServiceKey> keys = servicesChanged(p.command());
        if (!batch.isEmpty() && (keys == null || !Collections.disjoint(keys, touched))) {
          break;
        }
        batch.add(queue.poll());
        if (keys == null) {
          break;
        }
        touched.addAll(keys);
      }
    }
    return batch;
  }

  /** The services {@code c} may change, or null when that depends on the state. */
  static Set<ServiceKey> servicesChanged(Command c) {
    if (c instanceof Command.UpsertService u) {
      return Set.of(u.key());
    }
    if (c instanceof Command.DeleteService d) {
      return Set.of(d.key());
    }
    if (c instanceof Command.SetEndpointHealth h) {
      return Set.of(h.key());
    }
    if (c instanceof Command.Batch b) {
      Set<ServiceKey> all = new HashSet<>();
      for (Command inner : b.commands()) {
        Set<ServiceKey> keys = servicesChanged(inner);
        if (keys == null) {
          return null;
        }
        all.addAll(keys);
      }
      return all;
    }
    if (c instanceof Command.RevokeLease
        || c instanceof Command.ExpireLeases
        || c instanceof Command.Group) {
      return null;
    }
    return Set.of();
  }

  private void send(List<Pending> batch) {
    batch.forEach(p -> dequeued.accept(p.queuedNanos()));
    CompletableFuture<WriteResult> sent;
    try {
      if (batch.size() == 1) {
        sent = sender.apply(batch.get(0).command());
      } else {
        List<Command> commands = new ArrayList<>(batch.size());
        batch.forEach(p -> commands.add(p.command()));
        sent = sender.apply(new Command.Group(commands));
      }
    } catch (RuntimeException e) {
      // The slot taken for this entry must come back, or after maxInFlight such throws nothing is
      // sent again.
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (result, error) -> {
          inFlight.decrementAndGet();
          try {
            deliver(batch, result, error);
          } finally {
            dispatch();
          }
        });
  }

  private static void deliver(List<Pending> batch, WriteResult result, Throwable error) {
    if (error != null) {
      batch.forEach(p -> p.result().completeExceptionally(error));
      return;
    }
    if (batch.size() == 1) {
      batch.get(0).result().complete(result);
      return;
    }
    if (result instanceof WriteResult.Applied a
        && a.outcome() instanceof Outcome.GroupApplied g
        && g.outcomes().size() == batch.size()) {
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(new WriteResult.Applied(g.outcomes().get(i)));
      }
    } else if (result instanceof WriteResult.Applied a) {
      // Not a group answer: cannot be split; every write's outcome is unknown.
      batch.forEach(
          p -> p.result().complete(new WriteResult.Unknown("unexpected answer to a group: " + a)));
    } else {
      batch.forEach(p -> p.result().complete(result));
    }
  }
}
