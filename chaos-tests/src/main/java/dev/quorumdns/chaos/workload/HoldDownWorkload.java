package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.client.RegistryApi;
import dev.quorumdns.chaos.client.ServiceSpec;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One client that makes VIP hold-downs run out and be judged: it registers names of its own ({@code
 * chaos/h<slot>}), deletes them, and after each acknowledged delete of name A with VIP v does one
 * of four things, at random: A registers again within the hold-down (must get v back) or after it
 * (any VIP); another idle name B asks for v as a static VIP within the hold-down (must be refused;
 * A then returns) or after it (may take v: a reuse after expiry; A returns later and gets another
 * VIP). Timing is on this machine's monotonic clock with margins; the checker judges on the log
 * times the answers carry, so a fault that shifts the cluster's clock changes which rule a write
 * falls under, never the verdict's soundness. A name with {@link #MAX_UNKNOWN} unknown outcomes is
 * retired for a fresh one (keeps each name's linearizability search small). Runs in the calling
 * thread; state carries over from one {@link #run} to the next. Not thread-safe.
 */
public final class HoldDownWorkload {
  /** Process numbers of this client start here (never used by {@link Workload}'s clients). */
  public static final int PROCESS_BASE = 1_000_000;

  static final int MAX_UNKNOWN = 3;
  private static final String PREFIX = Workload.NAMESPACE + "/h";

  private enum Action {
    REGISTER,
    CLAIM,
    DELETE,
    READ
  }

  private record Task(long dueNanos, int slot, Action action, String vip) {}

  private enum State {
    ABSENT,
    PRESENT,
    UNKNOWN
  }

  private final RegistryApi api;
  private final List<String> nodes;
  private final HistoryRecorder recorder;
  private final long holdNanos;
  private final Random random;
  private final int slots;
  private final State[] state;
  private final int[] generation;
  private final int[] unknowns;
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos(), b.dueNanos()));
  private int process = PROCESS_BASE;
  private boolean started;

  public HoldDownWorkload(
      RegistryApi api,
      List<String> nodes,
      HistoryRecorder recorder,
      Duration holdDown,
      int slots,
      long seed) {
    this.api = api;
    this.nodes = List.copyOf(nodes);
    this.recorder = recorder;
    this.holdNanos = holdDown.toNanos();
    this.random = new Random(seed * 131 + 7);
    this.slots = slots;
    this.state = new State[slots];
    this.generation = new int[slots];
    this.unknowns = new int[slots];
    java.util.Arrays.fill(state, State.UNKNOWN);
  }

  /** Every name this client has used, e.g. for final reads. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      for (int g = 0; g <= generation[i]; g++) {
        out.add(PREFIX + i + (g == 0 ? "" : "-g" + g));
      }
    }
    return out;
  }

  /**
   * Works until {@code duration} has passed or {@code stop} turns true; returns operations made.
   */
  public long run(Duration duration, BooleanSupplier stop) {
    long end = System.nanoTime() + duration.toNanos();
    if (!started) {
      started = true;
      for (int i = 0; i < slots; i++) {
        schedule(i, Action.READ, null, share(0.0025 * i));
      }
    }
    long ops = 0;
    while (!stop.getAsBoolean() && System.nanoTime() < end) {
      Task next = tasks.peek();
      long now = System.nanoTime();
      if (next == null || next.dueNanos() > now) {
        long wait = next == null ? millis(50) : Math.min(next.dueNanos() - now, millis(50));
        LockSupport.parkNanos(wait);
        continue;
      }
      tasks.poll();
      step(next);
      ops++;
    }
    return ops;
  }

  private String name(int slot) {
    return PREFIX + slot + (generation[slot] == 0 ? "" : "-g" + generation[slot]);
  }

  private void step(Task task) {
    int slot = task.slot();
    String name = name(slot);
    String node = nodes.get(random.nextInt(nodes.size()));
    ServiceSpec spec = new ServiceSpec(List.of("10.2.0." + (1 + random.nextInt(250)) + ":8080"));
    OpKind kind =
        switch (task.action()) {
          case REGISTER, CLAIM -> OpKind.REGISTER;
          case DELETE -> OpKind.DELETE;
          case READ -> OpKind.READ_API;
        };
    Op invoke =
        recorder.invoke(
            Op.invoke(process, kind, node, name, kind.isPut() ? spec.canonical() : null));
    Outcome outcome =
        switch (task.action()) {
          case REGISTER -> api.put(node, name, spec);
          case CLAIM -> api.putWithVip(node, name, spec, task.vip());
          case DELETE -> api.delete(node, name);
          case READ -> api.get(node, name);
        };
    recorder.complete(invoke, Workload.completion(invoke, outcome));
    if (outcome.type() == OpType.INFO) {
      process += 1;
      state[slot] = State.UNKNOWN;
      if (++unknowns[slot] >= MAX_UNKNOWN) {
        unknowns[slot] = 0;
        generation[slot]++;
      }
      schedule(slot, Action.READ, null, share(0.025));
      return;
    }
    if (outcome.type() == OpType.FAIL) {
      boolean refused = task.action() == Action.CLAIM && outcome.result() != null;
      if (refused && "conflict".equals(outcome.result())) {
        // refused within the hold (or taken again): this name registers with a VIP of its own
        schedule(slot, Action.REGISTER, null, share(0.025 + 0.075 * random.nextDouble()));
        return;
      }
      schedule(
          slot,
          task.action() == Action.CLAIM ? Action.READ : task.action(),
          task.vip(),
          share(0.015));
      return;
    }
    switch (task.action()) {
      case READ -> {
        state[slot] = "found".equals(outcome.result()) ? State.PRESENT : State.ABSENT;
        schedule(
            slot,
            state[slot] == State.PRESENT ? Action.DELETE : Action.REGISTER,
            null,
            share(0.01 + 0.075 * random.nextDouble()));
      }
      case REGISTER, CLAIM -> {
        state[slot] = State.PRESENT;
        schedule(slot, Action.DELETE, null, share(0.025 + 0.125 * random.nextDouble()));
      }
      case DELETE -> {
        state[slot] = State.ABSENT;
        if ("deleted".equals(outcome.result()) && outcome.vip() != null) {
          afterRelease(slot, outcome.vip());
        } else {
          schedule(slot, Action.REGISTER, null, share(0.025 + 0.075 * random.nextDouble()));
        }
      }
    }
  }

  /** Picks what happens to a released VIP: the name's return or another name's claim. */
  private void afterRelease(int slot, String vip) {
    long within = share(0.2 + 0.4 * random.nextDouble());
    long after = share(1.1 + 0.3 * random.nextDouble());
    int choice = random.nextInt(4);
    int other = choice >= 2 ? idleOther(slot) : -1;
    if (other < 0) {
      schedule(slot, Action.REGISTER, null, choice % 2 == 0 ? within : after);
    } else if (choice == 2) {
      schedule(other, Action.CLAIM, vip, within);
      schedule(slot, Action.REGISTER, null, within + share(0.05));
    } else {
      schedule(other, Action.CLAIM, vip, after);
      schedule(slot, Action.REGISTER, null, after + share(0.15));
    }
  }

  /**
   * Another name that is absent (waiting to register again, or idle), with its plan cancelled; -1
   * if none.
   */
  private int idleOther(int slot) {
    List<Integer> absent = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      if (i != slot && state[i] == State.ABSENT) {
        absent.add(i);
      }
    }
    if (absent.isEmpty()) {
      return -1;
    }
    int other = absent.get(random.nextInt(absent.size()));
    tasks.removeIf(t -> t.slot() == other);
    return other;
  }

  private void schedule(int slot, Action action, String vip, long delayNanos) {
    tasks.add(new Task(System.nanoTime() + delayNanos, slot, action, vip));
  }

  private static long millis(long ms) {
    return ms * 1_000_000L;
  }

  /** A share of the hold-down (so a test with a short hold-down runs the same plan quickly). */
  private long share(double fraction) {
    return (long) (holdNanos * fraction);
  }
}
