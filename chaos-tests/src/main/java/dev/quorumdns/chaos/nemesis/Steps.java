package dev.quorumdns.chaos.nemesis;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each nemesis step (a docker exec, a membership change) on a daemon thread with a deadline,
 * so a hung step fails with its name instead of hanging the run. A step past its deadline is
 * interrupted and left behind. Thread-safe.
 */
final class Steps {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "nemesis-step-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private Steps() {}

  /** A step that did not finish within its deadline. */
  static final class DeadlineExceeded extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    DeadlineExceeded(String what) {
      super(what);
    }
  }

  /** Runs {@code step} and waits for it; its exception is rethrown, a timeout named. */
  static void within(String what, Duration deadline, Runnable step) {
    await(what, deadline, start(step));
  }

  /** Starts {@code step} in the background, for {@link #await}. */
  static Future<?> start(Runnable step) {
    return POOL.submit(step);
  }

  /** Starts {@code step} in the background, for {@link #await}. */
  static <T> Future<T> start(Callable<T> step) {
    return POOL.submit(step);
  }

  /** Waits for a started step; its exception is rethrown, a timeout named. */
  static <T> T await(String what, Duration deadline, Future<T> step) {
    try {
      return step.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      step.cancel(true);
      throw new DeadlineExceeded(what + ": not done within " + deadline.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Nemesis.NotApplicable n) {
        throw n;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(what + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      step.cancel(true);
      throw new IllegalStateException("interrupted during " + what, e);
    }
  }
}
