package dev.quorumdns.node.raft;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells followers the leader's new commit index as soon as the leader has applied an entry, so they
 * apply it (and answer DNS with it) at once instead of at the next write or heartbeat, which is up
 * to half an election timeout away. A linearizable read on the leader makes Ratis send a heartbeat
 * carrying the commit index to every follower: that is the nudge. A follower ignores the commit
 * index of a heartbeat sent while one of its appends is still unanswered, so the nudge waits
 * (briefly, see {@link #MAX_WAIT}) until every follower has acknowledged the entry. Nudges asked
 * for meanwhile are one nudge. Thread-safe; {@link #nudge} never blocks.
 */
final class CommitNudger {
  /**
   * Longest a nudge waits for slow (or down) followers to acknowledge the entry before it goes
   * anyway.
   */
  static final Duration MAX_WAIT = Duration.ofMillis(5);

  private static final long POLL_MICROS = 200;
  private static final Logger LOG = LoggerFactory.getLogger(CommitNudger.class);
  private static final Message NUDGE = Message.valueOf("commit-nudge");

  private final RaftPeerId self;
  private final RaftGroupId group;
  private final RaftClientAsynchronousProtocol server;
  private final Supplier<long[]> followerMatchIndices;
  private final ScheduledExecutorService tasks;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  /** The highest applied index not yet nudged, or 0. */
  private final AtomicLong pending = new AtomicLong();

  CommitNudger(
      RaftPeerId self,
      RaftGroupId group,
      RaftClientAsynchronousProtocol server,
      Supplier<long[]> followerMatchIndices,
      ScheduledExecutorService tasks) {
    this.self = self;
    this.group = group;
    this.server = server;
    this.followerMatchIndices = followerMatchIndices;
    this.tasks = tasks;
  }

  /** Called on the Ratis apply thread after the leader applied the entry at {@code index}. */
  void nudge(long index) {
    long before = pending.getAndAccumulate(index, Math::max);
    if (before == 0) {
      schedule(System.nanoTime(), 0);
    }
  }

  private void schedule(long since, long delayMicros) {
    try {
      tasks.schedule(() -> check(since), delayMicros, TimeUnit.MICROSECONDS);
    } catch (RejectedExecutionException e) {
      pending.set(0); // closing
    }
  }

  private void check(long since) {
    long index = pending.get();
    boolean acknowledged = true;
    for (long match : followerMatchIndices.get()) {
      acknowledged &= match >= index;
    }
    if (!acknowledged && System.nanoTime() - since < MAX_WAIT.toNanos()) {
      schedule(since, POLL_MICROS);
      return;
    }
    send();
    if (!pending.compareAndSet(index, 0)) {
      schedule(
          System.nanoTime(), 0); // a later index was applied meanwhile: it gets a nudge of its own
    }
  }

  private void send() {
    RaftClientRequest read =
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(self)
            .setGroupId(group)
            .setCallId(callIds.incrementAndGet())
            .setMessage(NUDGE)
            .setType(RaftClientRequest.readRequestType())
            .build();
    try {
      server.submitClientRequestAsync(read);
    } catch (IOException | RuntimeException e) {
      LOG.debug("commit nudge not sent: {}", e.toString());
    }
  }
}
