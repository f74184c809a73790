package dev.quorumdns.node;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes. For tests; never a bare sleep. */
public final class Await {
  private Await() {}

  /**
   * Returns the first non-null value of {@code probe}, failing with {@code what} after {@code
   * timeout}.
   */
  public static <T> T value(Duration timeout, String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (true) {
      try {
        T v = probe.get();
        if (v != null) {
          return v;
        }
      } catch (RuntimeException | AssertionError e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + (last == null ? "" : "; last error: " + last),
            last);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  public static void until(Duration timeout, String what, Supplier<Boolean> condition) {
    value(timeout, what, () -> Boolean.TRUE.equals(condition.get()) ? Boolean.TRUE : null);
  }
}
