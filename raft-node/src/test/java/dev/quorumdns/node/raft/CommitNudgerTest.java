package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CommitNudgerTest {
  private final ScheduledExecutorService tasks = Executors.newSingleThreadScheduledExecutor();
  private final Fake fast = new Fake("n2");
  private final Fake slow = new Fake("n3");
  private final CommitNudger nudger = new CommitNudger(() -> List.of(fast, slow), tasks);

  @AfterEach
  void stop() {
    tasks.shutdownNow();
  }

  @Test
  void eachFollowerIsNudgedOnceItHoldsTheEntry() {
    fast.match = 5;
    slow.match = 4;
    nudger.nudge(5);
    await("the follower holding the entry nudged", () -> fast.heartbeats.get() == 1);
    assertEquals(0, slow.heartbeats.get(), "a heartbeat before its append is answered is ignored");
    slow.match = 5;
    await("the slower follower nudged once it holds it", () -> slow.heartbeats.get() == 1);
    await("the nudge done", nudger::idle);
    assertEquals(1, fast.heartbeats.get(), "nudged once");
  }

  @Test
  void aFollowerThatNeverCatchesUpIsLeftToTheHeartbeat() {
    fast.match = 5;
    slow.match = 2;
    nudger.nudge(5);
    await("the nudge given up", nudger::idle);
    assertEquals(1, fast.heartbeats.get());
    assertEquals(0, slow.heartbeats.get());
  }

  @Test
  void aLaterEntryIsNudgedAgain() {
    fast.match = 5;
    slow.match = 5;
    nudger.nudge(5);
    await("both nudged", () -> fast.heartbeats.get() == 1 && slow.heartbeats.get() == 1);
    await("the nudge done", nudger::idle);
    fast.match = 6;
    slow.match = 6;
    nudger.nudge(6);
    await("both nudged again", () -> fast.heartbeats.get() == 2 && slow.heartbeats.get() == 2);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static final class Fake implements CommitNudger.Follower {
    private final String id;
    volatile long match;
    final AtomicInteger heartbeats = new AtomicInteger();

    Fake(String id) {
      this.id = id;
    }

    @Override
    public Object id() {
      return id;
    }

    @Override
    public long matchIndex() {
      return match;
    }

    @Override
    public void heartbeat() {
      heartbeats.incrementAndGet();
    }
  }
}
