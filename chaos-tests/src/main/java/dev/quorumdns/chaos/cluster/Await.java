package dev.quorumdns.chaos.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes. Stateless. */
public final class Await {
  private Await() {}

  /**
   * Waits until {@code condition} is true, polling every {@code poll}; throws naming {@code what}
   * on timeout.
   */
  public static void until(
      String what, Duration deadline, Duration poll, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "timed out after " + deadline.toMillis() + " ms waiting for " + what);
      }
      try {
        Thread.sleep(poll.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }
}
