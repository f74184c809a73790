package dev.quorumdns.node.lease;

import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.LeaseStatus;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.Registry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Lease requests as any node takes them: a grant is a log entry with an id this node picks at
 * random; a keepalive or a status request goes to the leader as a read-only request ({@link
 * LeaseQueries}), answered by its {@link LeaseKeeper} without a log entry. Thread-safe.
 */
public final class NodeLeases {
  private static final int GRANT_ATTEMPTS = 3;
  private static final int ASK_ATTEMPTS = 5;
  private static final long RETRY_MILLIS = 200;

  /** How often the leader looks for leases whose deadline passed. */
  static final long TICK_MILLIS = 100;

  private final Function<Command, CompletableFuture<WriteResult>> submit;
  private final BiFunction<byte[], Duration, CompletableFuture<byte[]>> askLeader;
  private final LongSupplier random;
  private final Duration timeout;
  private final RaftRuntime.ReadOnlyRequests requests;

  /** The leader side (null for a NodeLeases built without one, in tests) and its quiet time. */
  private final LeaseKeeper keeper;

  private final Duration quietAfterStall;

  /**
   * @param submit sends a command through Raft
   * @param askLeader sends a read-only request to the leader
   * @param random random longs for lease ids (a {@code SecureRandom}: ids are hard to guess)
   * @param timeout how long a keepalive or status request may take
   */
  public NodeLeases(
      Function<Command, CompletableFuture<WriteResult>> submit,
      BiFunction<byte[], Duration, CompletableFuture<byte[]>> askLeader,
      LongSupplier random,
      Duration timeout) {
    this(submit, askLeader, random, timeout, null, null, Duration.ZERO);
  }

  private NodeLeases(
      Function<Command, CompletableFuture<WriteResult>> submit,
      BiFunction<byte[], Duration, CompletableFuture<byte[]>> askLeader,
      LongSupplier random,
      Duration timeout,
      RaftRuntime.ReadOnlyRequests requests,
      LeaseKeeper keeper,
      Duration quietAfterStall) {
    this.keeper = keeper;
    this.quietAfterStall = quietAfterStall;
    this.submit = submit;
    this.askLeader = askLeader;
    this.random = random;
    this.timeout = timeout;
    this.requests = requests;
  }

  /**
   * Wires the leases of a node whose Raft runtime may come later or change ({@code raft} gives the
   * current one, or null): its {@link LeaseKeeper} looks for expired leases every {@value
   * #TICK_MILLIS} ms on {@code scheduler}, and answers lease requests through {@link #requests()},
   * which each new runtime must be given.
   */
  public static NodeLeases start(
      Registry registry,
      Supplier<RaftRuntime> raft,
      Function<Command, CompletableFuture<WriteResult>> submit,
      ScheduledExecutorService scheduler,
      Duration timeout,
      Duration contactWithin,
      BooleanSupplier stalled) {
    LeaseKeeper keeper =
        new LeaseKeeper(
            registry,
            () -> {
              RaftRuntime r = raft.get();
              return r == null ? -1 : r.leadingTerm();
            },
            submit,
            System::nanoTime,
            () -> {
              RaftRuntime r = raft.get();
              return r != null && r.heardFromMajorityWithin(contactWithin);
            },
            stalled);
    scheduler.scheduleWithFixedDelay(keeper::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    BiFunction<byte[], Duration, CompletableFuture<byte[]>> ask =
        (request, t) -> {
          RaftRuntime r = raft.get();
          return r == null
              ? CompletableFuture.failedFuture(
                  new IllegalStateException("not a member of a cluster yet"))
              : r.askLeader(request, t);
        };
    RaftRuntime.ReadOnlyRequests requests =
        new RaftRuntime.ReadOnlyRequests() {
          @Override
          public boolean accepts(byte[] request) {
            return LeaseQueries.isRequest(request);
          }

          @Override
          public byte[] answer(byte[] request) {
            return keeper.answer(request);
          }
        };
    // Ratis sends heartbeats every half election timeout; contactWithin is three quarters of one:
    // a deposed leader hears of its successor, and answers from before the stall age out, well
    // within two of those.
    return new NodeLeases(
        submit,
        ask,
        new SecureRandom()::nextLong,
        timeout,
        requests,
        keeper,
        contactWithin.multipliedBy(2));
  }

  /**
   * This process stood still (the node's stall watch noticed): the leader side decides nothing on
   * the deadlines it held; see {@link LeaseKeeper#afterStall}.
   */
  public void afterStall() {
    if (keeper != null) {
      keeper.afterStall(quietAfterStall);
    }
  }

  /**
   * The lease requests this node answers when it leads: for {@link
   * RaftRuntime#setReadOnlyRequests}.
   */
  public RaftRuntime.ReadOnlyRequests requests() {
    return requests;
  }

  /**
   * Grants a lease; completes as {@code submit} does, with {@link Outcome.LeaseGranted} once
   * applied.
   */
  public CompletableFuture<WriteResult> grant(long ttlMillis) {
    Lease.checkTtl("ttl", ttlMillis);
    return grant(ttlMillis, GRANT_ATTEMPTS);
  }

  private CompletableFuture<WriteResult> grant(long ttlMillis, int attempts) {
    long id = random.getAsLong() & Long.MAX_VALUE;
    if (id == 0) {
      return grant(ttlMillis, attempts);
    }
    return submit
        .apply(new Command.GrantLease(id, ttlMillis))
        .thenCompose(
            r -> {
              boolean taken =
                  r instanceof WriteResult.Applied a && a.outcome() instanceof Outcome.Conflict;
              return taken && attempts > 1
                  ? grant(ttlMillis, attempts - 1)
                  : CompletableFuture.completedFuture(r);
            });
  }

  /**
   * Restarts the lease's TTL at the leader. Fails with {@link NodeException.Kind#NOT_FOUND} when
   * the leader knows no live lease by that id (never granted, revoked, expired or being expired),
   * {@link NodeException.Kind#NO_QUORUM} when no leader answers.
   */
  public CompletableFuture<LeaseStatus> keepAlive(long id) {
    return ask(LeaseQueries.Op.KEEPALIVE, id);
  }

  /** How long the lease has left, as the leader tracks it; fails as {@link #keepAlive} does. */
  public CompletableFuture<LeaseStatus> status(long id) {
    return ask(LeaseQueries.Op.STATUS, id);
  }

  private CompletableFuture<LeaseStatus> ask(LeaseQueries.Op op, long id) {
    return ask(op, id, ASK_ATTEMPTS);
  }

  /**
   * Asks again, a little later, when the member asked no longer leads (a leader change under way).
   */
  private CompletableFuture<LeaseStatus> ask(LeaseQueries.Op op, long id, int attempts) {
    return askOnce(op, id)
        .handle(
            (status, error) -> {
              Throwable cause =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              if (cause instanceof NotLeader && attempts > 1) {
                return CompletableFuture.supplyAsync(
                        () -> null,
                        CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> ask(op, id, attempts - 1));
              }
              if (cause instanceof NotLeader n) {
                return CompletableFuture.<LeaseStatus>failedFuture(
                    new NodeException(NodeException.Kind.NO_QUORUM, n.getMessage()));
              }
              return error == null
                  ? CompletableFuture.completedFuture(status)
                  : CompletableFuture.<LeaseStatus>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  /** The member asked did not lead (any more). */
  private static final class NotLeader extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotLeader() {
      super("the member asked no longer leads; retry", null, false, false);
    }
  }

  private CompletableFuture<LeaseStatus> askOnce(LeaseQueries.Op op, long id) {
    return askLeader
        .apply(LeaseQueries.request(op, id), timeout)
        .handle(
            (bytes, error) -> {
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                throw new NodeException(
                    NodeException.Kind.NO_QUORUM,
                    "no leader answered about lease "
                        + Lease.formatId(id)
                        + ": "
                        + cause.getMessage());
              }
              LeaseQueries.Answer a;
              try {
                a = LeaseQueries.decodeAnswer(bytes);
              } catch (CodecException e) {
                throw new NodeException(
                    NodeException.Kind.NO_QUORUM,
                    "undecodable answer from the leader: " + e.getMessage());
              }
              return switch (a.result()) {
                case LIVE ->
                    new LeaseStatus(id, a.ttlMillis(), a.remainingMillis(), a.grantedAtMillis());
                case UNKNOWN ->
                    throw new NodeException(
                        NodeException.Kind.NOT_FOUND,
                        "lease",
                        "no lease " + Lease.formatId(id) + " (never granted, revoked or expired)");
                case NOT_LEADER -> throw new NotLeader();
              };
            });
  }
}
