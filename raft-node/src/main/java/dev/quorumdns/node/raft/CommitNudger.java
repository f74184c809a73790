package dev.quorumdns.node.raft;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Tells each follower the leader's new commit index as soon as the leader has applied an entry and
 * that follower holds it, so followers apply it (and answer DNS with it) at once instead of at the
 * next heartbeat, which is up to half an election timeout away. Ratis' leader does not send a
 * commit index on its own until then: after a commit its log appender finds no entry to send and
 * waits for the heartbeat time. The nudge is a heartbeat triggered on that follower's appender
 * ({@link Follower#heartbeat}), which carries the commit index; it waits until the follower has
 * acknowledged the entry, because a follower ignores the commit index of a heartbeat sent while one
 * of its appends is unanswered. Each follower is nudged as its acknowledgement arrives; one that
 * has not acknowledged within {@link #LAST_WAIT} (down, far behind) is left to the heartbeat.
 * Nudges asked for meanwhile are one nudge. Thread-safe; {@link #nudge} never blocks.
 */
final class CommitNudger {
  /**
   * Longest a nudge watches for followers' acknowledgements: a third of the heartbeat interval at
   * the default election timeout (beyond that the heartbeat is as near).
   */
  static final Duration LAST_WAIT = Duration.ofMillis(50);

  /** Poll interval for the first {@link #FAST_POLL_NANOS}, when most acknowledgements arrive. */
  private static final long POLL_MICROS = 200;

  private static final long FAST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long SLOW_POLL_MICROS = 1_000;

  /** A follower (or listener) as the leader's log appender to it sees it. */
  interface Follower {
    /** The follower's id, stable for the appender's life. */
    Object id();

    /** How far the follower's log is known to match the leader's. */
    long matchIndex();

    /** Sends the follower a heartbeat (with the leader's commit index) at once. */
    void heartbeat();
  }

  private final Supplier<Collection<? extends Follower>> followers;
  private final ScheduledExecutorService tasks;

  /** The highest applied index not yet nudged, or 0. */
  private final AtomicLong pending = new AtomicLong();

  /**
   * @param followers the leader's followers (its running log appenders); empty unless it leads
   */
  CommitNudger(Supplier<Collection<? extends Follower>> followers, ScheduledExecutorService tasks) {
    this.followers = followers;
    this.tasks = tasks;
  }

  /** Called on the Ratis apply thread after the leader applied the entry at {@code index}. */
  void nudge(long index) {
    long before = pending.getAndAccumulate(index, Math::max);
    if (before == 0) {
      schedule(new Round(System.nanoTime()), 0);
    }
  }

  /** Whether no nudge is pending or being watched (tests). */
  boolean idle() {
    return pending.get() == 0;
  }

  /** One nudge's state: when it began, and which followers it nudged for which index. */
  private static final class Round {
    final long since;
    long index;
    final Set<Object> nudged = new HashSet<>();

    Round(long since) {
      this.since = since;
    }
  }

  private void schedule(Round round, long delayMicros) {
    try {
      tasks.schedule(() -> check(round), delayMicros, TimeUnit.MICROSECONDS);
    } catch (RejectedExecutionException e) {
      pending.set(0); // closing
    }
  }

  /**
   * Nudges every follower that holds the pending index and was not nudged for it yet; watches the
   * others until they do or {@link #LAST_WAIT} has passed.
   */
  private void check(Round round) {
    long index = pending.get();
    if (index != round.index) {
      round.index = index; // a later entry was applied: every follower needs it again
      round.nudged.clear();
    }
    boolean all = true;
    for (Follower f : followers.get()) {
      if (round.nudged.contains(f.id())) {
        continue;
      }
      if (f.matchIndex() >= index) {
        f.heartbeat();
        round.nudged.add(f.id());
      } else {
        all = false;
      }
    }
    long waited = System.nanoTime() - round.since;
    if (!all && waited < LAST_WAIT.toNanos()) {
      schedule(round, waited < FAST_POLL_NANOS ? POLL_MICROS : SLOW_POLL_MICROS);
      return;
    }
    if (!pending.compareAndSet(index, 0)) {
      schedule(new Round(System.nanoTime()), 0); // a later index: a nudge of its own
    }
  }
}
