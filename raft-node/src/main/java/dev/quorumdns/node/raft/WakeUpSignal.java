package dev.quorumdns.node.raft;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.ratis.util.AwaitForSignal;

/**
 * A wake-up for one Ratis worker thread (a leader's log appender, a server's state-machine updater)
 * that is never lost. Ratis 3.3's {@link AwaitForSignal#signal()} swaps in a fresh flag before it
 * sets the old one, and {@code await} looks only at the fresh one, so a signal that arrives after
 * the worker looked for work and before it began to wait is lost: the worker sleeps out its whole
 * wait with work to do. For an appender that is the next heartbeat (half the election timeout: a
 * follower receives a committed write up to 150 ms late and answers DNS with the old data
 * meanwhile); for an updater, 100 ms before it applies a committed entry (on the leader, the
 * write's answer waits). Here a signal is remembered until an await takes it; a remembered signal
 * can wake the worker once more than needed, which costs one empty turn of its loop (Ratis' workers
 * look for work again after every wake-up).
 *
 * <p>A signal also reaches the signal this one replaced, if any, so a worker that still waits on
 * the old one when it is swapped out ({@link UpdaterWakeUp}) is woken as before.
 *
 * <p>Thread-safe. Meant for one waiting thread: with several, one signal wakes all of them but only
 * one takes it.
 */
final class WakeUpSignal extends AwaitForSignal {
  private final AwaitForSignal replaced;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signalled = lock.newCondition();

  /** Whether a signal came that no await has taken yet; guarded by {@link #lock}. */
  private boolean pending;

  WakeUpSignal(Object name, AwaitForSignal replaced) {
    super(name);
    this.replaced = replaced;
  }

  @Override
  public void await() throws InterruptedException {
    lock.lock();
    try {
      while (!pending) {
        signalled.await();
      }
      pending = false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean await(long time, TimeUnit unit) throws InterruptedException {
    lock.lock();
    try {
      long nanos = unit.toNanos(time);
      while (!pending) {
        if (nanos <= 0) {
          return false;
        }
        nanos = signalled.awaitNanos(nanos);
      }
      pending = false;
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void signal() {
    lock.lock();
    try {
      pending = true;
      signalled.signalAll();
    } finally {
      lock.unlock();
    }
    if (replaced != null) {
      replaced.signal();
    }
  }
}
