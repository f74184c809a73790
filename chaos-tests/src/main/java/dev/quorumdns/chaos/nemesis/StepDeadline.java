package dev.quorumdns.chaos.nemesis;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one step (a nemesis' injection or heal, a log fetch) on a daemon thread and gives up on it
 * after a deadline: a hung {@code docker exec} must fail the run, not hang it. Runtime exceptions
 * of the step are rethrown as they are. Thread-safe.
 */
public final class StepDeadline {
  private static final ExecutorService STEPS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "chaos-step");
            t.setDaemon(true);
            return t;
          });

  private StepDeadline() {}

  /** Thrown when a step did not finish in time. */
  public static final class Overrun extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Overrun(String message) {
      super(message);
    }
  }

  public static <T> T call(String what, Duration deadline, Callable<T> step) {
    Future<T> future = STEPS.submit(step);
    try {
      return future.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new Overrun(what + " did not finish within " + deadline.toMillis() + " ms");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(what + " failed", e.getCause());
    }
  }

  public static void run(String what, Duration deadline, Runnable step) {
    call(
        what,
        deadline,
        () -> {
          step.run();
          return null;
        });
  }
}
