package dev.quorumdns.chaos.checker.linear;

import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Wing &amp; Gong's linearizability search with Lowe's memoisation of (linearized set, state), over
 * one independent key's operations. {@code ok} operations must all be linearized between their
 * invocation and completion; {@code info} operations may be linearized anywhere after their
 * invocation, or never; {@code fail} operations must be filtered out by the caller. Bounded by a
 * step budget: past it the answer is {@link Outcome#UNKNOWN}. Not thread-safe; one search per
 * instance.
 */
public final class WingGongSearch<S> {
  /** The verdict of one search. */
  public enum Outcome {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    UNKNOWN
  }

  /**
   * @param stuckAt when not linearizable: the ok operation that could not be placed at the deepest
   *     point
   * @param prefix the operations linearized at that point, in order
   * @param stateThere the model state after that prefix
   */
  public record Result<S>(
      Outcome outcome, long steps, Operation stuckAt, List<Operation> prefix, S stateThere) {}

  private static final class Entry {
    final int op;
    final boolean call;
    Entry match;
    Entry prev;
    Entry next;

    Entry(int op, boolean call) {
      this.op = op;
      this.call = call;
    }
  }

  private record Memo<S>(BitSet linearized, S state) {}

  private record Frame<S>(Entry call, S stateBefore) {}

  private final Model<S> model;
  private final long maxSteps;

  public WingGongSearch(Model<S> model, long maxSteps) {
    this.model = model;
    this.maxSteps = maxSteps;
  }

  public Result<S> search(List<Operation> ops) {
    Entry head = buildList(ops);
    int remainingOk = (int) ops.stream().filter(Operation::isOk).count();
    BitSet linearized = new BitSet(ops.size());
    Set<Memo<S>> seen = new HashSet<>();
    Deque<Frame<S>> stack = new ArrayDeque<>();
    S state = model.initial();
    Entry entry = head.next;
    long steps = 0;
    int deepest = -1;
    Operation stuckAt = null;
    List<Operation> deepestPrefix = List.of();
    S deepestState = state;
    while (remainingOk > 0) {
      if (++steps > maxSteps) {
        return new Result<>(Outcome.UNKNOWN, steps, null, List.of(), null);
      }
      if (entry == null) {
        throw new IllegalStateException(
            "ran past the last return with " + remainingOk + " ok operations left");
      }
      Operation op = ops.get(entry.op);
      if (entry.call) {
        S next = model.step(state, op);
        if (next != null) {
          BitSet grown = (BitSet) linearized.clone();
          grown.set(entry.op);
          if (seen.add(new Memo<>(grown, next))) {
            stack.push(new Frame<>(entry, state));
            state = next;
            linearized = grown;
            if (op.isOk()) {
              remainingOk--;
            }
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (stack.size() > deepest) {
          deepest = stack.size();
          stuckAt = op;
          deepestPrefix = prefix(stack, ops);
          deepestState = state;
        }
        if (stack.isEmpty()) {
          return new Result<>(
              Outcome.NOT_LINEARIZABLE, steps, stuckAt, deepestPrefix, deepestState);
        }
        Frame<S> top = stack.pop();
        state = top.stateBefore();
        linearized = (BitSet) linearized.clone();
        linearized.clear(top.call().op);
        if (ops.get(top.call().op).isOk()) {
          remainingOk++;
        }
        unlift(top.call());
        entry = top.call().next;
      }
    }
    return new Result<>(Outcome.LINEARIZABLE, steps, null, List.of(), null);
  }

  private static Entry buildList(List<Operation> ops) {
    List<Entry> entries = new ArrayList<>();
    List<long[]> keys = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Operation op = ops.get(i);
      Entry call = new Entry(i, true);
      entries.add(call);
      keys.add(new long[] {op.start()});
      if (op.isOk()) {
        Entry ret = new Entry(i, false);
        call.match = ret;
        entries.add(ret);
        keys.add(new long[] {op.end()});
      } else if (!op.isInfo()) {
        throw new IllegalArgumentException(
            "failed operations must be removed first: " + op.brief());
      }
    }
    Integer[] order = new Integer[entries.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingLong(i -> keys.get(i)[0]));
    Entry head = new Entry(-1, false);
    Entry tail = head;
    for (int i : order) {
      Entry e = entries.get(i);
      tail.next = e;
      e.prev = tail;
      tail = e;
    }
    return head;
  }

  private static void lift(Entry call) {
    remove(call);
    if (call.match != null) {
      remove(call.match);
    }
  }

  private static void unlift(Entry call) {
    if (call.match != null) {
      reinsert(call.match);
    }
    reinsert(call);
  }

  private static void remove(Entry e) {
    e.prev.next = e.next;
    if (e.next != null) {
      e.next.prev = e.prev;
    }
  }

  private static void reinsert(Entry e) {
    e.prev.next = e;
    if (e.next != null) {
      e.next.prev = e;
    }
  }

  private static <S> List<Operation> prefix(Deque<Frame<S>> stack, List<Operation> ops) {
    List<Operation> out = new ArrayList<>();
    stack.descendingIterator().forEachRemaining(f -> out.add(ops.get(f.call().op)));
    return out;
  }
}
