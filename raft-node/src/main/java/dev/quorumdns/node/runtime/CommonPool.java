package dev.quorumdns.node.runtime;

import java.util.concurrent.ForkJoinPool;

/**
 * The JVM's shared pool for asynchronous stages, sized so that it is one. With fewer than three
 * processors the JDK gives {@link ForkJoinPool#commonPool()} a parallelism of one, and {@link
 * java.util.concurrent.CompletableFuture} then runs every {@code *Async} stage given no executor,
 * and every task of {@code delayedExecutor}, on a thread started for that task alone. Ratis chains
 * each batch a follower appends with {@code thenComposeAsync} and no executor, and a follower's
 * forwarded write checks for a new leader through {@code delayedExecutor}: on a two-core machine
 * every follower started a thread per append (7-8% of a follower's CPU at 100 clients, measured
 * with async-profiler; see bench/RESULTS.md).
 *
 * <p>The pool gets at least {@value #THREADS} threads, not two: a follower's appends queue behind
 * whatever else runs in that pool (Ratis' group-info and leadership-transfer stages, the delayed
 * leader checks of forwarded writes, any library's asynchronous task), and two slow tasks would
 * hold a pool of two. The pool starts threads only when work waits and none is idle, and lets them
 * go after a minute idle, so the headroom costs nothing until it is needed. The node's own waits
 * that can block (closing a replaced Ratis client) run on threads of their own. Stateless.
 */
public final class CommonPool {
  /** The system property the JDK reads, once, when the common pool is first used. */
  public static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /** Below this the JDK's {@code CompletableFuture} starts a thread per asynchronous task. */
  static final int SHARED = 2;

  /** The fewest threads the node asks for. */
  static final int THREADS = 8;

  private CommonPool() {}

  /**
   * Asks for a common pool of {@value #THREADS} threads, or one per processor less one (as the JDK
   * does) on bigger machines, unless the operator set {@value #PARALLELISM} themselves. Works only
   * before anything in the JVM has used the common pool or {@code CompletableFuture}: call it first
   * thing in {@code main}.
   *
   * @return whether asynchronous stages now share the pool's threads ({@link #shared()})
   */
  public static boolean size() {
    if (System.getProperty(PARALLELISM) == null) {
      int n = Math.max(THREADS, Runtime.getRuntime().availableProcessors() - 1);
      System.setProperty(PARALLELISM, Integer.toString(n));
    }
    return shared();
  }

  /** Whether the common pool is shared, not a thread per task; fixed for the JVM's life. */
  public static boolean shared() {
    return ForkJoinPool.getCommonPoolParallelism() >= SHARED;
  }
}
