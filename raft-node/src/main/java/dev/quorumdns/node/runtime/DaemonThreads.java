package dev.quorumdns.node.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the node's own executors. Stateless. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /**
   * Daemon threads named {@code quorumdns-<name>-<n>}: a stopping node never waits on its own task
   * threads, and thread dumps say whose they are.
   */
  public static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "quorumdns-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
