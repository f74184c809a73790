package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A list read of the replica (what {@code GET /v1/services} answers, stale or linearizable) shows
 * every applied entry whole: while batches put and delete a group of names together, a reader
 * walking the services never sees part of a batch. The walk used to run unguarded beside the apply
 * thread and saw a batch's first member without the others.
 */
class BatchVisibilityTest {
  private static final int MEMBERS = 3;
  private static final int BATCHES = 4_000;

  @TempDir Path dir;

  @Test
  @Timeout(120)
  void readersNeverSeePartOfABatch() throws Exception {
    Registry r = TestRegistries.open(dir);
    // Other services make each walk long enough to overlap applies.
    for (int i = 0; i < 1_500; i++) {
      TestRegistries.register(r, "batch", "other-" + i, ServiceSpec.ofPorts());
    }
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<String>> reader =
          pool.submit(
              () -> {
                List<String> partial = new ArrayList<>();
                long walks = 0;
                while (!done.get() && partial.isEmpty()) {
                  Map<String, Integer> byTag = new TreeMap<>();
                  for (Service s : r.view().services("batch")) {
                    if (s.key().name().startsWith("g-")) {
                      byTag.merge(s.spec().labels().get("tag"), 1, Integer::sum);
                    }
                  }
                  walks++;
                  if (!byTag.isEmpty()
                      && (byTag.size() > 1 || byTag.values().iterator().next() != MEMBERS)) {
                    partial.add("walk " + walks + " saw " + byTag + " (tag: members)");
                  }
                }
                return partial;
              });
      Future<?> writer =
          pool.submit(
              () -> {
                for (int b = 0; b < BATCHES && !done.get(); b++) {
                  List<Command> ops = new ArrayList<>();
                  for (int m = 0; m < MEMBERS; m++) {
                    ServiceKey key = new ServiceKey("batch", "g-" + m);
                    ops.add(
                        b % 3 == 2
                            ? new Command.DeleteService(key)
                            : new Command.UpsertService(
                                key,
                                new ServiceSpec(
                                    List.of(), List.of(), Map.of("tag", "t" + b), null, null)));
                  }
                  Outcome o = TestRegistries.apply(r, new Command.Batch(ops));
                  assertTrue(o instanceof Outcome.BatchApplied, () -> "batch refused: " + o);
                }
                return null;
              });
      writer.get(Duration.ofSeconds(100).toSeconds(), TimeUnit.SECONDS);
      done.set(true);
      assertEquals(List.of(), reader.get(10, TimeUnit.SECONDS), "a reader saw part of a batch");
    } finally {
      done.set(true);
      pool.shutdownNow();
      r.close();
    }
  }
}
