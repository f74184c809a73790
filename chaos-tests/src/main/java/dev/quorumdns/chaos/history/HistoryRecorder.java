package dev.quorumdns.chaos.history;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Records a history as it happens. Thread-safe: any client thread and the nemesis may call it
 * concurrently. Each event is stamped and appended under one lock, so index order is real-time
 * order. A process may have one operation outstanding at a time.
 */
public final class HistoryRecorder {
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final long originNanos;
  private final Consumer<Op> sink;
  private final Object lock = new Object();
  private final List<Op> ops = new ArrayList<>();
  private final Map<Integer, Op> outstanding = new HashMap<>();
  private long faultCounter;

  /**
   * @param nanoTime monotonic source (System::nanoTime in runs); times are recorded relative to now
   * @param sink sees every stamped event in order, under the recorder's lock (e.g. a streaming
   *     writer)
   */
  public HistoryRecorder(Clock clock, LongSupplier nanoTime, Consumer<Op> sink) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.originNanos = nanoTime.getAsLong();
  }

  public HistoryRecorder(Clock clock, LongSupplier nanoTime) {
    this(clock, nanoTime, op -> {});
  }

  /** Records the invocation and returns it stamped; pass it to {@link #complete}. */
  public Op invoke(Op invocation) {
    if (!invocation.isInvoke()) {
      throw new IllegalArgumentException(
          "invocation: " + invocation.brief() + " (expected: type invoke)");
    }
    synchronized (lock) {
      Op open = outstanding.get(invocation.process());
      if (open != null) {
        throw new IllegalStateException(
            "process " + invocation.process() + " still has " + open.brief() + " outstanding");
      }
      Op stamped = append(invocation);
      outstanding.put(invocation.process(), stamped);
      return stamped;
    }
  }

  /** Records the completion of {@code invocation}; see {@link Op#complete}. */
  public Op complete(Op invocation, Op completion) {
    synchronized (lock) {
      Op open = outstanding.get(invocation.process());
      if (open == null || open.index() != invocation.index()) {
        throw new IllegalStateException("not outstanding: " + invocation.brief());
      }
      outstanding.remove(invocation.process());
      return append(completion);
    }
  }

  /** Records the start of a fault and returns its id, for {@link #faultStopped}. */
  public String faultStarted(FaultKind kind, List<String> targets) {
    synchronized (lock) {
      String id = "f" + ++faultCounter;
      append(
          new Op(
              0,
              OpType.INFO,
              Op.NEMESIS,
              OpKind.FAULT_START,
              null,
              id,
              kind.wire(),
              null,
              null,
              null,
              null,
              targets,
              null,
              0,
              0,
              null,
              null));
      return id;
    }
  }

  public void faultStopped(String id, FaultKind kind, List<String> targets) {
    synchronized (lock) {
      append(
          new Op(
              0,
              OpType.INFO,
              Op.NEMESIS,
              OpKind.FAULT_STOP,
              null,
              id,
              kind.wire(),
              null,
              null,
              null,
              null,
              targets,
              null,
              0,
              0,
              null,
              null));
    }
  }

  /**
   * A marker: {@code phase} is e.g. {@code scenario}, {@code heal}, {@code final}; value names the
   * scenario.
   */
  public void phase(String phase, String value) {
    synchronized (lock) {
      append(
          new Op(
              0,
              OpType.INFO,
              Op.NEMESIS,
              OpKind.PHASE,
              null,
              phase,
              value,
              null,
              null,
              null,
              null,
              null,
              null,
              0,
              0,
              null,
              null));
    }
  }

  /**
   * Records one event that is not a client operation (a watch line, a lease marker) and returns it
   * stamped.
   */
  public Op record(Op event) {
    if (event.f().isClientOp()) {
      throw new IllegalArgumentException("event: " + event.brief() + " (expected: no client op)");
    }
    synchronized (lock) {
      return append(event);
    }
  }

  /** Nanoseconds since the recorder began, on the same scale as recorded events. */
  public long elapsedNanos() {
    return nanoTime.getAsLong() - originNanos;
  }

  public History snapshot() {
    synchronized (lock) {
      return new History(ops);
    }
  }

  private Op append(Op op) {
    Op stamped = op.stamped(ops.size(), clock.millis(), nanoTime.getAsLong() - originNanos);
    ops.add(stamped);
    sink.accept(stamped);
    return stamped;
  }
}
