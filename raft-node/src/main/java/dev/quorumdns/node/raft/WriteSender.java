package dev.quorumdns.node.raft;

import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.CommandCodec;
import dev.quorumdns.registry.codec.OutcomeCodec;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one log entry to the leader and waits for its outcome without holding a thread. On the
 * leader the request goes straight to this node's own Raft division; elsewhere it travels over the
 * Ratis client's gRPC channel to the leader. Every attempt of one write carries the same client id
 * and call id, so a retry after a leader change is the same request to Ratis' retry cache, as with
 * Ratis' own client. A failed leader is retried as soon as an election names another one (or after
 * a short pause), until the write timeout.
 *
 * <p>Results: {@link WriteResult.NotSent} when no leader was known, so nothing was sent; {@link
 * WriteResult.Applied} with the outcome; {@link WriteResult.Unknown} when something was sent but no
 * outcome came. Results are completed on {@code callbacks}, never on Ratis' threads. Thread-safe.
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

  private final RaftPeerId self;
  private final RaftGroupId group;
  private final RaftClientAsynchronousProtocol local;
  private final Supplier<RaftClient> client;
  private final LeaderTracker leader;
  private final Duration leaderWait;
  private final Duration timeout;
  private final Executor callbacks;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  /**
   * @param local this node's Raft server, for requests while it leads
   * @param client the client to the group, for requests to another leader (null while this node has
   *     none)
   * @param leaderWait how long a write waits for a leader to be known before it is not sent
   * @param timeout how long a write waits for its outcome in all
   */
  WriteSender(
      RaftPeerId self,
      RaftGroupId group,
      RaftClientAsynchronousProtocol local,
      Supplier<RaftClient> client,
      LeaderTracker leader,
      Duration leaderWait,
      Duration timeout,
      Executor callbacks) {
    this.self = self;
    this.group = group;
    this.local = local;
    this.client = client;
    this.leader = leader;
    this.leaderWait = leaderWait;
    this.timeout = timeout;
    this.callbacks = callbacks;
  }

  CompletableFuture<WriteResult> send(Command command) {
    Message message = Message.valueOf(ByteString.copyFrom(CommandCodec.encodeRequest(command)));
    Write w =
        new Write(
            RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setGroupId(group)
                .setCallId(callIds.incrementAndGet())
                .setMessage(message)
                .setType(RaftClientRequest.writeRequestType())
                .setTimeoutMs(timeout.toMillis()),
            System.nanoTime() + timeout.toNanos());
    RaftPeerId l = leader.leader();
    if (client.get() == null && !self.equals(l)) {
      w.finish(new WriteResult.NotSent("this node is not a member of a cluster yet"));
    } else if (l != null) {
      w.sendTo(l);
    } else {
      leader
          .await(leaderWait)
          .whenComplete(
              (found, e) -> {
                if (found == null) {
                  w.finish(
                      new WriteResult.NotSent(
                          "no leader known within " + leaderWait.toMillis() + " ms (no quorum?)"));
                } else {
                  w.sendTo(found);
                }
              });
    }
    return w.result;
  }

  /** One write and its attempts. */
  private final class Write {
    final RaftClientRequest.Builder request;
    final long deadline;
    final CompletableFuture<WriteResult> result = new CompletableFuture<>();
    volatile boolean sent;

    /** Attempts so far; the answer to an older attempt only counts if it is the outcome. */
    final AtomicInteger attempts = new AtomicInteger();

    Write(RaftClientRequest.Builder request, long deadline) {
      this.request = request;
      this.deadline = deadline;
    }

    long remainingMillis() {
      return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    void sendTo(RaftPeerId target) {
      long remaining = remainingMillis();
      if (remaining <= 0) {
        finish(gaveUp(null));
        return;
      }
      if (target == null) {
        retryAfter(null, RETRY_PAUSE);
        return;
      }
      int attempt = attempts.incrementAndGet();
      CompletableFuture<RaftClientReply> reply;
      boolean remote = !target.equals(self);
      try {
        RaftClientRequest r;
        synchronized (request) {
          r = request.setServerId(target).build();
        }
        sent = true;
        reply = remote ? remote(r) : submitLocally(r);
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
            "write call {} to {}: {}",
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
          finish(gaveUp(null));
        } else {
          reconnect(target, cause);
          retryAfter(target, RETRY_PAUSE); // unreachable or gone: wait for an election, briefly
        }
        return;
      }
      if (reply.isSuccess()) {
        try {
          finish(
              new WriteResult.Applied(
                  OutcomeCodec.decode(reply.getMessage().getContent().toByteArray())));
        } catch (CodecException e) {
          finish(new WriteResult.Unknown("undecodable reply: " + e.getMessage()));
        }
        return;
      }
      NotLeaderException notLeader = reply.getNotLeaderException();
      if (notLeader != null) {
        RaftPeerId suggested =
            notLeader.getSuggestedLeader() == null ? null : notLeader.getSuggestedLeader().getId();
        if (suggested != null && !suggested.equals(target)) {
          sendTo(suggested);
        } else {
          retryAfter(target, RETRY_PAUSE);
        }
      } else if (reply.getLeaderNotReadyException() != null
          || reply.getLeaderSteppingDownException() != null
          || reply.getAlreadyClosedException() != null) {
        CompletableFuture.delayedExecutor(NOT_READY_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> sendTo(leader.leader()));
      } else {
        RaftException e = reply.getException();
        finish(new WriteResult.Unknown("leader answered " + e));
      }
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
        c.getClientRpc().handleException(target, cause, false);
      } catch (RuntimeException e) {
        LOG.debug("resetting the channel to {}: {}", target, e.toString());
      }
    }

    private void retryAfter(RaftPeerId failed, Duration pause) {
      long remaining = remainingMillis();
      if (remaining <= 0) {
        finish(gaveUp(null));
        return;
      }
      leader
          .awaitOther(failed, Duration.ofMillis(Math.min(pause.toMillis(), remaining)))
          .whenComplete((next, e) -> sendTo(next));
    }

    private WriteResult gaveUp(String why) {
      String reason = why != null ? why : "no answer within " + timeout.toMillis() + " ms";
      return sent
          ? new WriteResult.Unknown(reason + "; the write may still commit")
          : new WriteResult.NotSent(reason + " (no leader reachable)");
    }

    void finish(WriteResult r) {
      try {
        callbacks.execute(() -> result.complete(r));
      } catch (RejectedExecutionException e) {
        result.complete(r);
      }
    }
  }
}
