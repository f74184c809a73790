package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.util.AwaitForSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WakeUpSignalTest {
  /**
   * The Ratis fault this class exists for: a signal given before the wait is lost. When this fails,
   * the pinned Ratis keeps such signals, and WakeUpRpc and UpdaterWakeUp can go.
   */
  @Test
  void ratisOwnSignalLosesAWakeUpGivenBeforeTheWait() throws InterruptedException {
    AwaitForSignal ratis = new AwaitForSignal("ratis");
    ratis.signal();
    assertFalse(ratis.await(20, TimeUnit.MILLISECONDS));
  }

  @Test
  void aWakeUpGivenBeforeTheWaitIsKept() throws InterruptedException {
    WakeUpSignal s = new WakeUpSignal("test", null);
    s.signal();
    assertTrue(s.await(30, TimeUnit.SECONDS));
  }

  @Test
  void aWakeUpIsTakenByOneWaitOnly() throws InterruptedException {
    WakeUpSignal s = new WakeUpSignal("test", null);
    s.signal();
    s.signal();
    assertTrue(s.await(0, TimeUnit.MILLISECONDS));
    assertFalse(s.await(20, TimeUnit.MILLISECONDS));
  }

  @Test
  void aWaitingThreadIsWoken() throws Exception {
    WakeUpSignal s = new WakeUpSignal("test", null);
    CompletableFuture<Boolean> woken = waitOn(s);
    s.signal();
    assertTrue(woken.get(30, TimeUnit.SECONDS));
  }

  @Test
  void aThreadStillWaitingOnTheReplacedSignalIsWokenToo() throws Exception {
    AwaitForSignal old = new AwaitForSignal("ratis");
    CompletableFuture<Boolean> woken = waitOn(old);
    new WakeUpSignal("test", old).signal();
    assertTrue(woken.get(30, TimeUnit.SECONDS));
  }

  /**
   * A thread that waits up to a minute on {@code s}, started once it is waiting (its state says
   * so).
   */
  private static CompletableFuture<Boolean> waitOn(AwaitForSignal s) throws InterruptedException {
    CompletableFuture<Boolean> woken = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                woken.complete(s.await(60, TimeUnit.SECONDS));
              } catch (InterruptedException e) {
                woken.completeExceptionally(e);
              }
            },
            "waiter");
    t.setDaemon(true);
    t.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < deadline, "the waiter never waited");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return woken;
  }
}
