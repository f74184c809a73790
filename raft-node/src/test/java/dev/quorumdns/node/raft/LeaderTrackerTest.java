package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * The leader as the division reports it, and waiting for one: a known leader at once, an election
 * wakes waiters.
 */
class LeaderTrackerTest {
  private static final RaftPeerId N1 = RaftPeerId.valueOf("n1");
  private static final RaftPeerId N2 = RaftPeerId.valueOf("n2");

  private final AtomicReference<RaftPeerId> live = new AtomicReference<>();
  private final LeaderTracker tracker = new LeaderTracker(live::get);

  @Test
  void aKnownLeaderIsAnsweredAtOnce() {
    live.set(N1);
    assertEquals(N1, tracker.leader());
    CompletableFuture<RaftPeerId> f = tracker.await(Duration.ofDays(1));
    assertEquals(N1, f.getNow(null));
  }

  @Test
  void aWaiterIsWokenByTheNextElection() throws Exception {
    CompletableFuture<RaftPeerId> f = tracker.await(Duration.ofDays(1));
    assertFalse(f.isDone());
    live.set(N2);
    tracker.elected(N2);
    assertEquals(N2, f.get(10, TimeUnit.SECONDS));
    assertEquals(1, tracker.changes());
  }

  @Test
  void withNoLeaderTheWaitEndsWithNullAfterTheTimeout() throws Exception {
    CompletableFuture<RaftPeerId> f = tracker.await(Duration.ofMillis(20));
    assertNull(f.get(10, TimeUnit.SECONDS));
  }

  @Test
  void anElectionBeforeTheWaitIsNotMissed() throws Exception {
    // The division already reports the leader elected a moment ago: the wait does not depend on the
    // event.
    tracker.elected(N1);
    live.set(N1);
    assertEquals(N1, tracker.await(Duration.ofDays(1)).get(10, TimeUnit.SECONDS));
  }

  @Test
  void losingTheLeaderWakesNobodyAndIsNoElection() throws Exception {
    CompletableFuture<RaftPeerId> f = tracker.await(Duration.ofDays(1));
    tracker.elected(null);
    assertFalse(
        f.isDone(),
        "a waiter woken by 'no leader' would give up at once instead of waiting for the next");
    assertEquals(0, tracker.changes());
    live.set(N2);
    tracker.elected(N2);
    assertEquals(N2, f.get(10, TimeUnit.SECONDS));
  }

  @Test
  void afterALeaderFailedAnotherKnownLeaderIsAnsweredAtOnce() {
    live.set(N2);
    assertEquals(N2, tracker.awaitOther(N1, Duration.ofDays(1)).getNow(null));
  }

  @Test
  void afterALeaderFailedTheNextElectionIsAwaited() throws Exception {
    live.set(N1); // the division still names the failed leader until its election timeout
    CompletableFuture<RaftPeerId> f = tracker.awaitOther(N1, Duration.ofDays(1));
    assertFalse(f.isDone());
    live.set(N2);
    tracker.elected(N2);
    assertEquals(N2, f.get(10, TimeUnit.SECONDS));
  }

  @Test
  void afterALeaderFailedAndNoElectionTheKnownLeaderIsTriedAgainAfterThePause() throws Exception {
    live.set(N1);
    assertEquals(N1, tracker.awaitOther(N1, Duration.ofMillis(20)).get(10, TimeUnit.SECONDS));
  }

  @Test
  void everyElectionIsCounted() {
    tracker.elected(N1);
    tracker.elected(N2);
    tracker.elected(N1);
    assertEquals(3, tracker.changes());
  }
}
