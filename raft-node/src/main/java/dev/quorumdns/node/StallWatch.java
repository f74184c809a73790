package dev.quorumdns.node;

import dev.quorumdns.node.runtime.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that this process stood still: stopped (SIGSTOP), frozen (a cgroup freezer, {@code docker
 * pause}), or paused for long by the JVM or the host. A thread of its own ticks every {@link
 * #PERIOD}; a tick that comes more than the threshold after the one before means the process did
 * not run meanwhile, and its replica may have missed writes the cluster acknowledged. Until the
 * late tick has run, {@link #stalled} says so (the DNS threads resume at the same instant as this
 * one and must not answer from the old state first); then the stall is handed to {@code onStall}
 * with its length. Thread-safe.
 */
final class StallWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);
  static final Duration PERIOD = Duration.ofMillis(100);

  private final LongSupplier nanos;
  private final long thresholdNanos;
  private final LongConsumer onStall;
  private volatile long lastTick;
  private ScheduledExecutorService thread;

  /**
   * @param nanos a monotonic clock ({@link System#nanoTime} outside tests)
   * @param threshold a gap between ticks longer than this is a stall
   * @param onStall called on the watch's thread with the stall's length in nanoseconds
   */
  StallWatch(LongSupplier nanos, Duration threshold, LongConsumer onStall) {
    this.nanos = nanos;
    this.thresholdNanos = threshold.toNanos();
    this.onStall = onStall;
    this.lastTick = nanos.getAsLong();
  }

  /** Starts ticking on a daemon thread of its own. */
  StallWatch start() {
    thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("stall-watch"));
    thread.scheduleWithFixedDelay(
        this::tick, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** One tick: hands a stall on before it counts as noticed. */
  void tick() {
    long now = nanos.getAsLong();
    long gap = now - lastTick;
    try {
      if (gap > thresholdNanos) {
        onStall.accept(gap);
      }
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: stalled() would then hold DNS and the
      // leases for the rest of the process.
      LOG.warn("handling a stall of {} ms failed: {}", gap / 1_000_000, e.toString(), e);
    } finally {
      lastTick = now;
    }
  }

  /** True while the last tick is older than the threshold: the process stood still, unnoticed. */
  boolean stalled() {
    return nanos.getAsLong() - lastTick > thresholdNanos;
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }
}
