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
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One client for {@code POST /v1/batch}: groups of 2 or 3 names ({@code chaos/b<group>-<i>}) that
 * are only ever written whole, by batches that put one new spec on every name of a group or delete
 * them all; after each batch a {@code ?stale} whole-registry read of a random node (recorded), so
 * {@code batch-atomic} sees every node's replica between batches. Runs in the calling thread; state
 * carries over from one {@link #run} to the next. Not thread-safe.
 */
public final class BatchWorkload {
  /** Process numbers of this client start here (apart from other clients'). */
  public static final int PROCESS_BASE = 2_000_000;

  private static final Duration PAUSE = Duration.ofMillis(100);

  private final RegistryApi api;
  private final List<String> nodes;
  private final HistoryRecorder recorder;
  private final Random random;
  private final List<List<String>> groups = new ArrayList<>();
  private final boolean[] present;
  private int process = PROCESS_BASE;
  private int token;

  public BatchWorkload(
      RegistryApi api, List<String> nodes, HistoryRecorder recorder, int groupCount, long seed) {
    this.api = api;
    this.nodes = List.copyOf(nodes);
    this.recorder = recorder;
    this.random = new Random(seed * 17 + 3);
    for (int g = 0; g < groupCount; g++) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < 2 + g % 2; i++) {
        names.add(Workload.NAMESPACE + "/b" + g + "-" + i);
      }
      groups.add(List.copyOf(names));
    }
    this.present = new boolean[groupCount];
  }

  /**
   * Works until {@code duration} has passed or {@code stop} turns true; returns operations made.
   */
  public long run(Duration duration, BooleanSupplier stop) {
    long end = System.nanoTime() + duration.toNanos();
    long ops = 0;
    while (!stop.getAsBoolean() && System.nanoTime() < end) {
      int g = random.nextInt(groups.size());
      boolean delete = present[g] && random.nextInt(4) == 0;
      token++;
      ServiceSpec spec =
          delete
              ? null
              : new ServiceSpec(
                  List.of(
                      "10.3." + (token / 250 % 250) + "." + (token % 250 + 1) + ":" + (9000 + g)));
      String node = nodes.get(random.nextInt(nodes.size()));
      Op invoke =
          recorder.invoke(
              Op.invoke(
                      process,
                      OpKind.BATCH,
                      node,
                      Workload.NAMESPACE + "/b" + g,
                      spec == null ? null : spec.canonical())
                  .withNodes(groups.get(g)));
      Outcome outcome = api.batch(node, groups.get(g), spec);
      recorder.complete(invoke, Workload.completion(invoke, outcome));
      ops++;
      if (outcome.type() == OpType.OK) {
        present[g] = !delete;
      } else if (outcome.type() == OpType.INFO) {
        process++;
        // Unknown: assume present (a delete batch of an absent group is refused, harmlessly).
        present[g] = true;
      }
      String reader = nodes.get(random.nextInt(nodes.size()));
      Op read = recorder.invoke(Op.invoke(process, OpKind.READ_ALL, reader, null, null));
      recorder.complete(read, Workload.completion(read, api.list(reader, true)));
      ops++;
      LockSupport.parkNanos(PAUSE.toNanos());
    }
    return ops;
  }
}
