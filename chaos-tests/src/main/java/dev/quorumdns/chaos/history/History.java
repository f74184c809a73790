package dev.quorumdns.chaos.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable, validated history: events in real-time order, each process with at most one
 * operation outstanding. Checkers read it; {@link HistoryRecorder} builds it.
 */
public final class History {
  /** Phase marker a nemesis records just before it injects a fault; see {@link #faults()}. */
  public static final String INJECT = "inject";

  private final List<Op> ops;
  private final List<Operation> operations;
  private final List<FaultInterval> faults;

  public History(List<Op> ops) {
    this.ops = List.copyOf(ops);
    this.operations = pair(this.ops);
    this.faults = faults(this.ops);
  }

  public List<Op> ops() {
    return ops;
  }

  /** Client operations (invocation + completion), in invocation order. */
  public List<Operation> operations() {
    return operations;
  }

  /** Client operations of the given kinds, grouped by name (names sorted), in invocation order. */
  public Map<String, List<Operation>> byName(Set<OpKind> kinds) {
    Map<String, List<Operation>> out = new TreeMap<>();
    for (Operation op : operations) {
      if (op.name() != null && kinds.contains(op.f())) {
        out.computeIfAbsent(op.name(), k -> new ArrayList<>()).add(op);
      }
    }
    return out;
  }

  public List<FaultInterval> faults() {
    return faults;
  }

  /** Nanos of the first phase marker named {@code phase}, if any. */
  public Optional<Long> phaseNanos(String phase) {
    return ops.stream()
        .filter(op -> op.f() == OpKind.PHASE && phase.equals(op.name()))
        .map(Op::monoNanos)
        .findFirst();
  }

  /** The scenario in force at each instant: marker time → scenario name, in time order. */
  public TreeMap<Long, String> scenarios() {
    TreeMap<Long, String> out = new TreeMap<>();
    for (Op op : ops) {
      if (op.f() == OpKind.PHASE && "scenario".equals(op.name()) && op.value() != null) {
        out.put(op.monoNanos(), op.value());
      }
    }
    return out;
  }

  /** Time of the last event, or 0 for an empty history. */
  public long endNanos() {
    return ops.isEmpty() ? 0 : ops.get(ops.size() - 1).monoNanos();
  }

  public int size() {
    return ops.size();
  }

  private static List<Operation> pair(List<Op> ops) {
    Map<Integer, Op> pending = new HashMap<>();
    Map<Op, Op> completions = new LinkedHashMap<>();
    long previous = Long.MIN_VALUE;
    for (Op op : ops) {
      if (op.index() <= previous) {
        throw new IllegalArgumentException(
            "index " + op.index() + " after " + previous + " (expected: increasing)");
      }
      previous = op.index();
      if (!op.f().isClientOp()) {
        continue;
      }
      if (op.isInvoke()) {
        Op open = pending.put(op.process(), op);
        if (open != null) {
          throw new IllegalArgumentException(
              "process "
                  + op.process()
                  + " invoked "
                  + op.brief()
                  + " while "
                  + open.brief()
                  + " was outstanding (expected: one operation at a time)");
        }
        completions.put(op, null);
      } else {
        Op invoke = pending.remove(op.process());
        if (invoke == null) {
          throw new IllegalArgumentException("completion without invocation: " + op.brief());
        }
        if (invoke.f() != op.f()) {
          throw new IllegalArgumentException(
              "completion " + op.brief() + " does not match " + invoke.brief());
        }
        completions.put(invoke, op);
      }
    }
    List<Operation> out = new ArrayList<>(completions.size());
    completions.forEach((invoke, completion) -> out.add(new Operation(invoke, completion)));
    return List.copyOf(out);
  }

  /**
   * Fault intervals from their start and stop records. A fault starts at its "inject" marker when
   * one comes right before it (the nemesis writes the marker before it acts and the start once the
   * fault is in place, so a kill that took effect during a slow injection is inside the interval),
   * else at its start record.
   */
  private static List<FaultInterval> faults(List<Op> ops) {
    Map<String, Op> open = new LinkedHashMap<>();
    Map<String, Long> startAt = new HashMap<>();
    List<FaultInterval> out = new ArrayList<>();
    long injecting = -1;
    for (Op op : ops) {
      if (op.f() == OpKind.FAULT_START) {
        open.put(op.name(), op);
        startAt.put(op.name(), injecting >= 0 ? injecting : op.monoNanos());
      } else if (op.f() == OpKind.FAULT_STOP) {
        Op start = open.remove(op.name());
        if (start != null) {
          out.add(interval(start, startAt.get(op.name()), op.monoNanos()));
        }
      }
      if (op.process() == Op.NEMESIS) {
        injecting = op.f() == OpKind.PHASE && INJECT.equals(op.name()) ? op.monoNanos() : -1;
      }
    }
    open.values()
        .forEach(start -> out.add(interval(start, startAt.get(start.name()), Long.MAX_VALUE)));
    out.sort(Comparator.comparingLong(FaultInterval::startNanos));
    return List.copyOf(out);
  }

  private static FaultInterval interval(Op start, long startNanos, long endNanos) {
    return new FaultInterval(
        start.name(),
        FaultKind.parse(start.value()),
        start.nodes() == null ? List.of() : start.nodes(),
        startNanos,
        endNanos);
  }
}
