package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A read barrier's wait for this replica to apply the barrier's entry. */
class AppliedWaitersTest {
  private final ExecutorService callbacks =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "callbacks"));
  private final AppliedWaiters waiters = new AppliedWaiters(callbacks);

  @AfterEach
  void stop() {
    callbacks.shutdownNow();
  }

  @Test
  void aWaiterCompletesOnceItsIndexIsAppliedAndNotBefore() throws Exception {
    waiters.advanced(10);
    assertEquals(7L, waiters.await(7).get(1, TimeUnit.SECONDS), "applied already");
    CompletableFuture<Long> at12 = waiters.await(12);
    CompletableFuture<Long> at15 = waiters.await(15);
    CompletableFuture<Long> at12Again = waiters.await(12);
    waiters.advanced(11);
    assertFalse(at12.isDone());
    waiters.advanced(13);
    assertEquals(12L, at12.get(1, TimeUnit.SECONDS));
    assertEquals(12L, at12Again.get(1, TimeUnit.SECONDS));
    assertFalse(at15.isDone(), "15 is not applied yet");
    waiters.advanced(9); // an older report (a snapshot's index) never moves it back
    waiters.advanced(20);
    assertEquals(15L, at15.get(1, TimeUnit.SECONDS));
  }

  @Test
  void waitersAreCompletedOnTheCallbackThreadNotTheApplyThread() throws Exception {
    AtomicReference<Thread> completedOn = new AtomicReference<>();
    CompletableFuture<Long> f = waiters.await(5);
    CompletableFuture<Void> seen = f.thenAccept(i -> completedOn.set(Thread.currentThread()));
    Thread apply = new Thread(() -> waiters.advanced(5), "apply");
    apply.start();
    apply.join();
    seen.get(1, TimeUnit.SECONDS);
    assertNotEquals(apply, completedOn.get());
    assertEquals("callbacks", completedOn.get().getName());
  }

  @Test
  void manyWaitersAcrossIndexesAllComplete() throws Exception {
    List<CompletableFuture<Long>> all =
        LongStream.rangeClosed(1, 200).mapToObj(waiters::await).toList();
    for (long i = 1; i <= 200; i += 7) {
      waiters.advanced(i);
    }
    waiters.advanced(200);
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1L, all.get(i).get(1, TimeUnit.SECONDS));
    }
  }
}
