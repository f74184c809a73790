package dev.quorumdns.node.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks one node for one name, again and again on a thread of its own, and counts each distinct
 * answer ("ERROR (not listening yet)" for every failure to get one): what a joining node answered
 * from its start until it was filled. Thread-safe; {@link #close} stops and joins the thread.
 */
final class DnsSampler implements AutoCloseable {
  static final String NOT_LISTENING = "ERROR (not listening yet)";

  private final Map<String, Integer> answers = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean sampling = true;

  /**
   * @param pace the pause between two queries (a pace for the samples, not a wait for a condition:
   *     an unbound port answers at once)
   */
  DnsSampler(NodeProcess node, String name, int type, long paceMillis) {
    thread =
        new Thread(
            () -> {
              while (sampling) {
                String a = node.resolve(name, type);
                answers.merge(a.startsWith("ERROR") ? NOT_LISTENING : a, 1, Integer::sum);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(paceMillis));
              }
            },
            node.id() + "-dns-sampler");
    thread.start();
  }

  /** Each answer seen so far, with how often. */
  Map<String, Integer> answers() {
    return answers;
  }

  @Override
  public void close() throws InterruptedException {
    sampling = false;
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
