package dev.quorumdns.node.lease;

import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's lease deadlines (docs/architecture.md, Leases). Deadlines live in the leader's
 * memory only, on its monotonic clock: a keepalive moves one without a log entry. When this node
 * becomes leader (a term in which it has committed an entry) every lease gets a fresh full TTL; a
 * lease granted while it leads is tracked from when it sees the grant applied. On each {@link
 * #tick} it proposes an {@link Command.ExpireLeases} entry for the leases whose deadline passed,
 * stamped with its term; replicas remove them (and their endpoints) only when they apply that
 * entry, and only if it was appended in that same term (a leader deposed while paused must not
 * expire the leases its successor keeps alive). A process that stood still (SIGSTOP, a frozen
 * cgroup, a long pause) judges nothing on the deadlines it held: they ran on while it could not
 * take keepalives. Until the node's stall watch has noticed, and for a quiet time after ({@link
 * #afterStall}), it takes no keepalive and proposes no expiry; then, if it still leads, every lease
 * gets a fresh TTL as under a new leader. (Extended chaos run 2024120625: a leader deposed during a
 * 5.9 s pause resumed, proposed the expiry of four leases at once and answered a keepalive 404
 * before it learnt of its successor, whose fresh TTLs still had 1.2 s to run.)
 *
 * <p>Thread-safe: keepalives and status requests come on Ratis' read threads (after a linearizable
 * read index, so only while this node leads), ticks on the node's scheduler.
 */
public final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  private final Registry registry;
  private final LongSupplier leadingTerm;
  private final Function<Command, CompletableFuture<WriteResult>> submit;
  private final LongSupplier nanoTime;
  private final BooleanSupplier heardFromMajority;
  // Guarded by this.
  private long term = -1;
  private long seenChanges = Long.MIN_VALUE;
  private final Map<Long, Long> deadlines = new HashMap<>();
  private final PriorityQueue<long[]> queue =
      new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
  private final Set<Long> expiring = new HashSet<>();
  private final BooleanSupplier stalled;
  // Guarded by this: after a stall, nothing is decided before quietUntil (at start: now).
  private long quietUntil;
  // Guarded by this: when the last tick looked at the deadlines.
  private long lastLook = Long.MIN_VALUE;

  /**
   * @param leadingTerm the term this node leads in, having committed an entry of it; -1 when it
   *     does not lead
   * @param submit sends a command through Raft (the node's write path)
   * @param nanoTime the monotonic clock
   * @param heardFromMajority whether a majority of the voters answered this leader lately (well
   *     within an election timeout): a keepalive is only taken then. Ratis' read index, which a
   *     keepalive passes first, skips its heartbeat round when the commit index has not moved since
   *     the last confirmed read, so a leader cut off from the majority would otherwise go on taking
   *     keepalives that its successor never learns of.
   */
  public LeaseKeeper(
      Registry registry,
      LongSupplier leadingTerm,
      Function<Command, CompletableFuture<WriteResult>> submit,
      LongSupplier nanoTime,
      BooleanSupplier heardFromMajority) {
    this(registry, leadingTerm, submit, nanoTime, heardFromMajority, () -> false);
  }

  /**
   * @param stalled whether this process stood still and its stall watch has not noticed yet (true
   *     from the instant it resumes until {@link #afterStall} has been called)
   */
  public LeaseKeeper(
      Registry registry,
      LongSupplier leadingTerm,
      Function<Command, CompletableFuture<WriteResult>> submit,
      LongSupplier nanoTime,
      BooleanSupplier heardFromMajority,
      BooleanSupplier stalled) {
    this.stalled = stalled;
    this.quietUntil = nanoTime.getAsLong();
    this.registry = registry;
    this.leadingTerm = leadingTerm;
    this.submit = submit;
    this.nanoTime = nanoTime;
    this.heardFromMajority = heardFromMajority;
  }

  /** Answers a lease request that reached this node as the leader. */
  public byte[] answer(byte[] request) {
    LeaseQueries.Request r;
    try {
      r = LeaseQueries.decodeRequest(request);
    } catch (Exception e) {
      LOG.warn("undecodable lease request: {}", e.toString());
      return LeaseQueries.answer(LeaseQueries.Answer.UNKNOWN);
    }
    return LeaseQueries.answer(
        r.op() == LeaseQueries.Op.KEEPALIVE ? keepAlive(r.id()) : status(r.id()));
  }

  /** Restarts the lease's TTL, if this node leads and the lease is live. */
  synchronized LeaseQueries.Answer keepAlive(long id) {
    long now = nanoTime.getAsLong();
    if (resuming(now) || !sync(now) || !heardFromMajority.getAsBoolean()) {
      return LeaseQueries.Answer.NOT_LEADER;
    }
    Lease l = registry.lease(id);
    if (l == null || !deadlines.containsKey(id) || expiring.contains(id)) {
      return LeaseQueries.Answer.UNKNOWN;
    }
    track(id, now + l.ttlMillis() * 1_000_000);
    return new LeaseQueries.Answer(
        LeaseQueries.Result.LIVE, l.ttlMillis(), l.ttlMillis(), l.grantedAtMillis());
  }

  /** How long the lease has left, if this node leads and the lease is live. */
  synchronized LeaseQueries.Answer status(long id) {
    long now = nanoTime.getAsLong();
    if (resuming(now) || !sync(now)) {
      return LeaseQueries.Answer.NOT_LEADER;
    }
    Lease l = registry.lease(id);
    Long deadline = deadlines.get(id);
    if (l == null || deadline == null || expiring.contains(id)) {
      return LeaseQueries.Answer.UNKNOWN;
    }
    return new LeaseQueries.Answer(
        LeaseQueries.Result.LIVE,
        l.ttlMillis(),
        Math.max(0, (deadline - now) / 1_000_000),
        l.grantedAtMillis());
  }

  /**
   * Proposes the expiry of every lease whose deadline has passed. Called every so often on one
   * thread.
   */
  public void tick() {
    try {
      expireDue();
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again, and no lease would expire on this leader.
      LOG.warn("lease expiry tick failed: {}", e.toString(), e);
    }
  }

  /** A look this much later than the one before is said (the ticking thread was held up). */
  private static final long LATE_NANOS = 2_000_000_000L;

  private void expireDue() {
    List<Long> due = new ArrayList<>();
    long decidedIn;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      if (lastLook != Long.MIN_VALUE && now - lastLook > LATE_NANOS && term >= 0) {
        LOG.warn(
            "lease expiry looked {} ms after its previous look (due every few hundred ms): a lease"
                + " may outlive its TTL by that much",
            (now - lastLook) / 1_000_000);
      }
      lastLook = now;
      if (resuming(now) || !sync(now)) {
        return;
      }
      decidedIn = term;
      while (!queue.isEmpty()
          && queue.peek()[0] <= now
          && due.size() < Command.ExpireLeases.MAX_IDS) {
        long[] head = queue.poll();
        Long deadline = deadlines.get(head[1]);
        if (deadline != null && deadline == head[0] && expiring.add(head[1])) {
          due.add(head[1]);
        }
      }
    }
    if (due.isEmpty()) {
      return;
    }
    LOG.info(
        "expiring {} lease(s) whose TTL passed without a keepalive: {}",
        due.size(),
        due.stream().map(Lease::formatId).toList());
    submit
        .apply(new Command.ExpireLeases(due, decidedIn))
        .whenComplete(
            (result, error) -> {
              if (!(result instanceof WriteResult.Applied)) {
                // Not applied, or not known to be: try again at the next tick (expiring one twice
                // does nothing).
                LOG.warn(
                    "lease expiry not applied ({}); proposing it again",
                    error != null ? error.toString() : result);
                retry(due);
              }
            });
  }

  /**
   * This process stood still: forget the deadlines (they ran on while no keepalive could arrive)
   * and decide nothing for {@code quietFor}, long enough for a deposed leader to hear of its
   * successor and for a leader's "heard from a majority" to rest on answers given after the stall.
   * If this node still leads after that, every lease gets a fresh TTL.
   */
  public synchronized void afterStall(Duration quietFor) {
    LOG.info(
        "this process stood still: {} lease deadline(s) forgotten; no keepalive or expiry for {}"
            + " ms, then every lease gets a fresh TTL if this node still leads",
        deadlines.size(),
        quietFor.toMillis());
    clear();
    term = -1;
    quietUntil = nanoTime.getAsLong() + quietFor.toNanos();
  }

  /** True while the stall watch has not noticed a stall yet, or the quiet time after one runs. */
  private boolean resuming(long now) {
    return stalled.getAsBoolean() || now - quietUntil < 0;
  }

  private synchronized void retry(List<Long> ids) {
    long now = nanoTime.getAsLong();
    for (long id : ids) {
      if (expiring.remove(id) && deadlines.containsKey(id)) {
        track(id, now);
      }
    }
  }

  /**
   * Brings the deadlines in line with the leadership and the replica's leases; false if this node
   * does not lead. A new term (this node just became leader) restarts every TTL from {@code now}.
   */
  private boolean sync(long now) {
    long t = leadingTerm.getAsLong();
    if (t < 0) {
      if (term >= 0) {
        LOG.info("no longer the leader: stopped tracking {} lease deadlines", deadlines.size());
        clear();
        term = -1;
      }
      return false;
    }
    long changes = registry.leaseChanges();
    if (t != term) {
      clear();
      term = t;
      seenChanges = changes;
      for (Lease l : registry.leases()) {
        track(l.id(), now + l.ttlMillis() * 1_000_000);
      }
      LOG.info("leading in term {}: every lease ({}) gets a fresh TTL", t, deadlines.size());
    } else if (changes != seenChanges) {
      seenChanges = changes;
      Set<Long> live = new HashSet<>();
      for (Lease l : registry.leases()) {
        live.add(l.id());
        if (!deadlines.containsKey(l.id())) {
          track(l.id(), now + l.ttlMillis() * 1_000_000);
        }
      }
      deadlines.keySet().retainAll(live);
      expiring.retainAll(live);
    }
    return true;
  }

  private void track(long id, long deadline) {
    deadlines.put(id, deadline);
    queue.add(new long[] {deadline, id});
    if (queue.size() > 4 * deadlines.size() + 1024) {
      // Each keepalive leaves its lease's previous deadline behind in the queue; drop them all at
      // once.
      queue.clear();
      deadlines.forEach((lease, d) -> queue.add(new long[] {d, lease}));
    }
  }

  private void clear() {
    deadlines.clear();
    queue.clear();
    expiring.clear();
  }

  /** How many leases this node tracks now (0 unless it leads). */
  public synchronized int tracked() {
    return deadlines.size();
  }
}
