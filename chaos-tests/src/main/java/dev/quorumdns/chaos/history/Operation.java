package dev.quorumdns.chaos.history;

import java.util.Objects;

/**
 * An invocation paired with its completion. A missing completion (the run ended first) is treated
 * as {@code info}: the operation may or may not have happened. Immutable.
 */
public record Operation(Op invoke, Op completion) {
  public Operation {
    Objects.requireNonNull(invoke, "invoke");
    if (!invoke.isInvoke()) {
      throw new IllegalArgumentException(
          "invoke: " + invoke.brief() + " (expected: an invoke event)");
    }
  }

  public OpType outcome() {
    return completion == null ? OpType.INFO : completion.type();
  }

  public OpKind f() {
    return invoke.f();
  }

  public String name() {
    return invoke.name();
  }

  public String node() {
    return invoke.node();
  }

  public boolean isOk() {
    return outcome() == OpType.OK;
  }

  public boolean isFail() {
    return outcome() == OpType.FAIL;
  }

  public boolean isInfo() {
    return outcome() == OpType.INFO;
  }

  /** Index of the invocation. */
  public long start() {
    return invoke.index();
  }

  /**
   * Index of the completion, or {@link Long#MAX_VALUE} when the outcome is unknown (never bounded).
   */
  public long end() {
    return completion == null || completion.type() == OpType.INFO
        ? Long.MAX_VALUE
        : completion.index();
  }

  public long startNanos() {
    return invoke.monoNanos();
  }

  /** Completion time, or {@link Long#MAX_VALUE} when never completed. */
  public long endNanos() {
    return completion == null ? Long.MAX_VALUE : completion.monoNanos();
  }

  /** Latency in nanoseconds, or -1 when never completed. */
  public long latencyNanos() {
    return completion == null ? -1 : completion.monoNanos() - invoke.monoNanos();
  }

  /**
   * True when this operation definitely finished before {@code other} began (Jepsen's real-time
   * order).
   */
  public boolean precedes(Operation other) {
    return end() < other.start();
  }

  /** The completion's field when present, else the invocation's. */
  public String vip() {
    return completion != null && completion.vip() != null ? completion.vip() : invoke.vip();
  }

  public String result() {
    return completion == null ? null : completion.result();
  }

  /** Spec: a found read's completion carries it; a PUT's invocation does. */
  public String value() {
    return completion != null && completion.value() != null ? completion.value() : invoke.value();
  }

  public String brief() {
    return completion == null ? invoke.brief() + " (never completed)" : completion.brief();
  }
}
