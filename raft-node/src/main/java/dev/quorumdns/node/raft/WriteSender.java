package dev.quorumdns.node.raft;

import dev.quorumdns.node.runtime.DaemonThreads;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.CommandCodec;
import dev.quorumdns.registry.codec.OutcomeCodec;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one log entry to the leader and waits for its outcome without holding a thread. On the
 * leader the request goes straight to this node's own Raft division; elsewhere it travels over the
 * Ratis client's gRPC channel to the leader. Every attempt of one write carries the same client id
 * and call id, so a retry after a leader change is the same request to Ratis' retry cache, as with
 * Ratis' own client. A failed leader is retried as soon as an election names another one (or after
 * a short pause), until the write timeout. Read-only requests the leader answers (lease keepalives)
 * travel the same way ({@link #ask}), so a follower whose leader died moves them on as it moves
 * writes, instead of waiting out their timeout on the dead member.
 *
 * <p>Results of writes: {@link WriteResult.NotSent} when no leader was known, so nothing was sent;
 * {@link WriteResult.Applied} with the outcome; {@link WriteResult.Unknown} when something was sent
 * but no outcome came. Results are completed on {@code callbacks}, never on Ratis' threads.
 * Thread-safe.
 */
final class WriteSender {
  private static final Logger LOG = LoggerFactory.getLogger(WriteSender.class);

  /**
   * How long a write waits for an election after its leader failed before it tries again anyway.
   */
  static final Duration RETRY_PAUSE = Duration.ofMillis(50);

  /**
   * How often a write waiting on another node checks whether an election named a new leader
   * meanwhile.
   */
  static final Duration LEADER_CHECK = Duration.ofMillis(250);

  /**
   * The pause before asking again a leader that is not ready yet (it has not committed an entry of
   * its term).
   */
  static final Duration NOT_READY_PAUSE = Duration.ofMillis(5);

  /**
   * Where a client channel is reset after a transport failure. Ratis closes the old channel on the
   * thread that asks for the reset and waits there for gRPC's graceful shutdown (up to 3 s, then up
   * to 2 s more) while calls are still open on it. Asked on the thread that completed the failed
   * reply - a gRPC callback thread, the JDK's one timer thread behind every delayed retry and
   * timeout of the node, or a Ratis thread telling of an election - that wait held every other
   * write behind it, for seconds after a leader died. Daemon threads, made as needed, idle ones end
   * after a minute.
   */
  private static final ExecutorService RESETS =
      Executors.newCachedThreadPool(DaemonThreads.named("raft-client-reset"));

  private final RaftPeerId self;
  private final RaftGroupId group;
  private final RaftClientAsynchronousProtocol local;
  private final Supplier<RaftClient> client;
  private final Predicate<RaftPeerId> clientPeer;
  private final LeaderTracker leader;
  private final Duration leaderWait;
  private final Duration timeout;
  private final Executor callbacks;
  private final ClientId clientId = ClientId.randomId();

  /**
   * @param local this node's Raft server, for requests while it leads
   * @param client the client to the group, for requests to another leader (null while this node has
   *     none)
   * @param clientPeer whether that client has a channel to a peer: a leader this node still knows
   *     after the change that removed it is not one (Ratis' client logs an ERROR for each request
   *     to a peer it does not know, chaos run 2024120625: 27 of them for one write), so the request
   *     waits for the next leader instead
   * @param leaderWait how long a write waits for a leader to be known before it is not sent
   * @param timeout how long a write waits for its outcome in all
   */
  WriteSender(
      RaftPeerId self,
      RaftGroupId group,
      RaftClientAsynchronousProtocol local,
      Supplier<RaftClient> client,
      Predicate<RaftPeerId> clientPeer,
      LeaderTracker leader,
      Duration leaderWait,
      Duration timeout,
      Executor callbacks) {
    this.self = self;
    this.group = group;
    this.local = local;
    this.client = client;
    this.clientPeer = clientPeer;
    this.leader = leader;
    this.leaderWait = leaderWait;
    this.timeout = timeout;
    this.callbacks = callbacks;
  }

  CompletableFuture<WriteResult> send(Command command) {
    Message message = Message.valueOf(ByteString.copyFrom(CommandCodec.encodeRequest(command)));
    return start(new WriteCall(request(message, RaftClientRequest.writeRequestType(), timeout)));
  }

  /**
   * Sends a read-only request to the leader, which answers it from its state machine once a
   * linearizable read index confirmed it still leads (a member that no longer leads serves it as a
   * follower read, so the answer must say who answered). Routed and retried as a write is: when the
   * member asked dies or an election names another leader, the request goes to the new one at once
   * rather than waiting out {@code timeout} on the dead one. Completes with the answer's bytes, or
   * exceptionally when no leader answered within {@code timeout}. Only for requests that may be
   * answered twice (a retry after a lost answer asks again).
   */
  CompletableFuture<byte[]> ask(byte[] query, Duration timeout) {
    Message message = Message.valueOf(ByteString.copyFrom(query));
    return start(new ReadCall(request(message, RaftClientRequest.readRequestType(), timeout)));
  }

  /** A request as built once, its deadline and the timeout it came from. */
  private record Request(RaftClientRequest.Builder builder, long deadline, Duration timeout) {}

  private Request request(Message message, RaftClientRequest.Type type, Duration within) {
    return new Request(
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setGroupId(group)
            // Ratis' process-wide call ids, as its own client uses: the client's channel to a peer
            // keeps one map of calls in flight keyed by call id alone, shared with the client's own
            // requests (admin calls), so ids counted here from 1 collided with them ("Entry already
            // exists for key 213"), and the failed attempt reset the channel under every other
            // call.
            .setCallId(CallId.getAndIncrement())
            .setMessage(message)
            .setType(type)
            .setTimeoutMs(within.toMillis()),
        System.nanoTime() + within.toNanos(),
        within);
  }

  private <T> CompletableFuture<T> start(Call<T> w) {
    RaftPeerId l = leader.leader();
    if (client.get() == null && !self.equals(l)) {
      w.fail("this node is not a member of a cluster yet");
    } else if (l != null) {
      w.sendTo(l);
    } else {
      leader
          .await(leaderWait)
          .whenComplete(
              (found, e) -> {
                if (found == null) {
                  w.fail("no leader known within " + leaderWait.toMillis() + " ms (no quorum?)");
                } else {
                  w.sendTo(found);
                }
              });
    }
    return w.result;
  }

  /** A write: its outcome, or why there is none. */
  private final class WriteCall extends Call<WriteResult> {
    WriteCall(Request request) {
      super(request);
    }

    @Override
    WriteResult answer(RaftClientReply reply) {
      try {
        return new WriteResult.Applied(
            OutcomeCodec.decode(reply.getMessage().getContent().toByteArray()));
      } catch (CodecException e) {
        return new WriteResult.Unknown("undecodable reply: " + e.getMessage());
      }
    }

    @Override
    void fail(String reason) {
      finish(sent ? new WriteResult.Unknown(reason) : new WriteResult.NotSent(reason));
    }

    @Override
    void giveUp() {
      String reason = "no answer within " + timeoutMillis + " ms";
      fail(sent ? reason + "; the write may still commit" : reason + " (no leader reachable)");
    }
  }

  /** A read the leader answers: its bytes, or an exception saying why there are none. */
  private final class ReadCall extends Call<byte[]> {
    ReadCall(Request request) {
      super(request);
    }

    @Override
    byte[] answer(RaftClientReply reply) {
      return reply.getMessage().getContent().toByteArray();
    }

    @Override
    void fail(String reason) {
      try {
        callbacks.execute(() -> result.completeExceptionally(new IllegalStateException(reason)));
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new IllegalStateException(reason));
      }
    }

    @Override
    void giveUp() {
      fail("no leader answered within " + timeoutMillis + " ms");
    }
  }

  /** One request (a write, or a read the leader answers) and its attempts. */
  private abstract class Call<T> {
    final RaftClientRequest.Builder request;
    final long deadline;
    final long timeoutMillis;
    final CompletableFuture<T> result = new CompletableFuture<>();
    volatile boolean sent;

    /** Attempts so far; the answer to an older attempt only counts if it is the outcome. */
    final AtomicInteger attempts = new AtomicInteger();

    /**
     * The last remote attempt to each member, guarded by {@link #request}: an attempt to a member
     * that still has an earlier one in flight (the leader moved away and back) waits for that one
     * instead of sending the same call id again, which Ratis' client refuses with an ERROR in the
     * log ("Entry already exists ... ReplyMap"; CI chaos run short-8501915, 7 lines). Made on the
     * first remote attempt: most writes are submitted on the leader itself and never need it.
     */
    private Map<RaftPeerId, CompletableFuture<RaftClientReply>> remoteAttempts;

    Call(Request r) {
      this.request = r.builder();
      this.deadline = r.deadline();
      this.timeoutMillis = r.timeout().toMillis();
    }

    /** The result of a successful reply. */
    abstract T answer(RaftClientReply reply);

    /**
     * Ends without a result: nothing was sent ({@link #sent} false), or the leader answered with an
     * error.
     */
    abstract void fail(String reason);

    /** Ends without a result: no answer came within the timeout. */
    abstract void giveUp();

    long remainingMillis() {
      return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    void sendTo(RaftPeerId target) {
      long remaining = remainingMillis();
      if (remaining <= 0) {
        giveUp();
        return;
      }
      if (target == null) {
        retryAfter(null, RETRY_PAUSE);
        return;
      }
      boolean remote = !target.equals(self);
      if (remote && !clientPeer.test(target)) {
        retryAfter(target, RETRY_PAUSE);
        return;
      }
      int attempt = attempts.incrementAndGet();
      CompletableFuture<RaftClientReply> reply;
      try {
        synchronized (request) {
          CompletableFuture<RaftClientReply> inFlight =
              remote && remoteAttempts != null ? remoteAttempts.get(target) : null;
          if (inFlight != null && !inFlight.isDone()) {
            reply = inFlight;
          } else {
            RaftClientRequest r = request.setServerId(target).build();
            sent = true;
            reply = remote ? remote(r) : submitLocally(r);
            if (remote) {
              if (remoteAttempts == null) {
                remoteAttempts = new HashMap<>(4);
              }
              remoteAttempts.put(target, reply);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      // A remote attempt with no reply fails after the client's request timeout, and is then sent
      // again. If an
      // election names another leader meanwhile, the request goes there at once (same call id,
      // another channel).
      reply
          .orTimeout(remaining, TimeUnit.MILLISECONDS)
          .whenComplete(
              (r, e) -> {
                boolean current = attempts.get() == attempt;
                if (current || (e == null && r.isSuccess())) {
                  answered(target, r, e);
                }
              });
      if (remote) {
        CompletableFuture.delayedExecutor(LEADER_CHECK.toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> moveIfLeaderChanged(target, attempt));
      }
    }

    private void moveIfLeaderChanged(RaftPeerId target, int attempt) {
      if (result.isDone() || attempts.get() != attempt) {
        return;
      }
      RaftPeerId now = leader.leader();
      if (now != null && !now.equals(target)) {
        sendTo(now);
      } else if (remainingMillis() > 0) {
        CompletableFuture.delayedExecutor(LEADER_CHECK.toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> moveIfLeaderChanged(target, attempt));
      }
    }

    /**
     * Hands the request to this node's own division on a {@code callbacks} thread, never the
     * caller's: Ratis runs the first part of a write (and waits for its server lock, which a leader
     * stepping down holds for a while) on the submitting thread.
     */
    private CompletableFuture<RaftClientReply> submitLocally(RaftClientRequest r) {
      CompletableFuture<RaftClientReply> reply = new CompletableFuture<>();
      try {
        callbacks.execute(
            () -> {
              try {
                local
                    .submitClientRequestAsync(r)
                    .whenComplete(
                        (x, e) -> {
                          if (e != null) {
                            reply.completeExceptionally(e);
                          } else {
                            reply.complete(x);
                          }
                        });
              } catch (IOException | RuntimeException e) {
                reply.completeExceptionally(e);
              }
            });
      } catch (RejectedExecutionException e) {
        reply.completeExceptionally(e);
      }
      return reply;
    }

    private CompletableFuture<RaftClientReply> remote(RaftClientRequest r) throws IOException {
      RaftClient c = client.get();
      if (c == null) {
        throw new IOException("this node is not a member of a cluster yet");
      }
      return c.getClientRpc().sendRequestAsyncUnordered(r);
    }

    private void answered(RaftPeerId target, RaftClientReply reply, Throwable error) {
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            "call {} to {}: {}",
            request.build().getCallId(),
            target,
            error != null
                ? error.toString()
                : reply.isSuccess() ? "applied" : String.valueOf(reply.getException()));
      }
      if (error != null) {
        Throwable cause =
            error.getCause() != null && !(error instanceof TimeoutException)
                ? error.getCause()
                : error;
        if (cause instanceof TimeoutException) {
          giveUp();
        } else if (cause instanceof NotLeaderException notLeader) {
          notLeader(target, notLeader);
        } else if (cause instanceof IllegalStateException
            && String.valueOf(cause.getMessage()).contains("already exists")) {
          // An earlier attempt of this call is still in flight on the channel to target (the
          // leader moved away and back): Ratis' client refuses a second one with the same call id.
          // The channel is fine: no reset; try again once that attempt had time to end (its own
          // answer counts if it is the outcome).
          retryAfter(target, LEADER_CHECK);
        } else if (cause instanceof LeaderNotReadyException
            || cause instanceof LeaderSteppingDownException) {
          // The leader answered, and Ratis' client failed every request still on that stream with
          // the answer: the channel is fine, so it is not reset (a reset fails the other writes on
          // it once more).
          notReadyYet();
        } else {
          reconnect(target, cause);
          retryAfter(target, RETRY_PAUSE); // unreachable or gone: wait for an election, briefly
        }
        return;
      }
      if (reply.isSuccess()) {
        finish(answer(reply));
        return;
      }
      NotLeaderException notLeader = reply.getNotLeaderException();
      if (notLeader != null) {
        notLeader(target, notLeader);
      } else if (reply.getLeaderNotReadyException() != null
          || reply.getLeaderSteppingDownException() != null
          || reply.getAlreadyClosedException() != null) {
        notReadyYet();
      } else {
        RaftException e = reply.getException();
        fail("leader answered " + e);
      }
    }

    private void notLeader(RaftPeerId target, NotLeaderException notLeader) {
      RaftPeerId suggested =
          notLeader.getSuggestedLeader() == null ? null : notLeader.getSuggestedLeader().getId();
      if (suggested != null && !suggested.equals(target)) {
        sendTo(suggested);
      } else {
        retryAfter(target, RETRY_PAUSE);
      }
    }

    private void notReadyYet() {
      CompletableFuture.delayedExecutor(NOT_READY_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> sendTo(leader.leader()));
    }

    /**
     * After a transport failure the client's channel to {@code target} stays closed (every later
     * request fails at once) until it is reset, as Ratis' own client does before it retries, and
     * only for the failures Ratis' own client resets on: a reset closes the channel with every
     * other write still on it.
     */
    private void reconnect(RaftPeerId target, Throwable cause) {
      RaftClient c = client.get();
      if (c == null || target.equals(self)) {
        return;
      }
      try {
        RESETS.execute(
            () -> {
              try {
                c.getClientRpc().handleException(target, cause, false);
              } catch (RuntimeException e) {
                LOG.debug("resetting the channel to {}: {}", target, e.toString());
              }
            });
      } catch (RejectedExecutionException e) {
        LOG.debug("resetting the channel to {}: {}", target, e.toString());
      }
    }

    private void retryAfter(RaftPeerId failed, Duration pause) {
      long remaining = remainingMillis();
      if (remaining <= 0) {
        giveUp();
        return;
      }
      leader
          .awaitOther(failed, Duration.ofMillis(Math.min(pause.toMillis(), remaining)))
          .whenComplete((next, e) -> sendTo(next));
    }

    void finish(T r) {
      try {
        callbacks.execute(() -> result.complete(r));
      } catch (RejectedExecutionException e) {
        result.complete(r);
      }
    }
  }
}
