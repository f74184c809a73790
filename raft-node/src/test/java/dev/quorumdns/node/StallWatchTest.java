package dev.quorumdns.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A late tick is a stall, reported once with its length; stalled() covers the time until then. */
class StallWatchTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Long> stalls = new ArrayList<>();
  private final StallWatch watch = new StallWatch(now::get, Duration.ofSeconds(1), stalls::add);

  private void advance(long millis) {
    now.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  @Test
  void ticksOnTimeAreNoStall() {
    for (int i = 0; i < 50; i++) {
      advance(100);
      assertFalse(watch.stalled());
      watch.tick();
    }
    advance(900);
    watch.tick();
    assertEquals(List.of(), stalls);
  }

  @Test
  void aLateTickReportsTheStallOnceAndStalledCoversTheTimeBeforeIt() {
    advance(100);
    watch.tick();
    advance(4_000); // stopped for four seconds
    assertTrue(watch.stalled(), "resumed, the late tick has not run yet");
    watch.tick();
    assertEquals(List.of(Duration.ofMillis(4_000).toNanos()), stalls);
    assertFalse(watch.stalled(), "noticed");
    advance(100);
    watch.tick();
    assertEquals(1, stalls.size(), "reported once");
  }

  /** The watch runs on a scheduler that cancels a task for good once it throws. */
  @Test
  void aStallHandlerThatFailsDoesNotLeaveTheWatchStalled() {
    StallWatch failing =
        new StallWatch(
            now::get,
            Duration.ofSeconds(1),
            gap -> {
              throw new IllegalStateException("no runtime yet");
            });
    advance(4_000);
    failing.tick();
    assertFalse(failing.stalled(), "noticed, although handling it failed");
    advance(100);
    failing.tick();
    assertFalse(failing.stalled());
  }
}
