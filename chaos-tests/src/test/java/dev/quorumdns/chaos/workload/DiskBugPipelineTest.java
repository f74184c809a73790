package dev.quorumdns.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.checker.ConvergenceChecker;
import dev.quorumdns.chaos.checker.DnsAvailabilityChecker;
import dev.quorumdns.chaos.checker.DnsTimeTravelChecker;
import dev.quorumdns.chaos.checker.FinalReadsChecker;
import dev.quorumdns.chaos.checker.LinearizabilityChecker;
import dev.quorumdns.chaos.checker.Validity;
import dev.quorumdns.chaos.checker.VipStabilityChecker;
import dev.quorumdns.chaos.checker.VipUniquenessChecker;
import dev.quorumdns.chaos.history.HistoryRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pipeline (workload, history, checkers) against an in-memory cluster with the bugs a disk
 * fault could cause ({@link DiskBugCluster}): each must fail the run. Without a bug the same
 * cluster passes, so the failures are the bugs'.
 */
@Timeout(120)
class DiskBugPipelineTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private final ExecutorService executor = Executors.newFixedThreadPool(8);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private CompositeChecker.Composite run(DiskBugCluster.Bug bug, long seed, Duration length) {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    recorder.phase("scenario", "in-memory");
    FakeCluster fake = new FakeCluster(NODES, seed, 0.02, Set.of());
    DiskBugCluster cluster = new DiskBugCluster(fake, bug, "n3");
    Workload workload =
        new Workload(
            cluster, cluster, NODES, recorder, new WorkloadConfig(3, 3, 8, 4, 0.2, 0.25), seed);
    long ops = workload.run(length, executor, () -> false);
    assertTrue(ops > 50, "workload ran: " + ops);
    new FinalPhase(cluster, cluster, recorder)
        .run(NODES, workload.names(), Duration.ofSeconds(5), Duration.ofMillis(10));
    // Only the writers and resolvers run here (no hold-down, batch, AAAA/PTR, watch or lease
    // clients): the checkers that judge what they do.
    return new CompositeChecker(
            List.of(
                new LinearizabilityChecker(),
                new VipStabilityChecker(),
                new VipUniquenessChecker(),
                new FinalReadsChecker(),
                new ConvergenceChecker(Duration.ofSeconds(5)),
                new DnsTimeTravelChecker(),
                new DnsAvailabilityChecker(0.99, Duration.ofSeconds(5))))
        .check(recorder.snapshot());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DiskBugCluster.Bug.class)
  void eachDiskBugFailsTheRun(DiskBugCluster.Bug bug) {
    long seed = 11;
    CompositeChecker.Composite result = run(bug, seed, Duration.ofMillis(1500));
    Map<String, Validity> verdicts = new TreeMap<>();
    result.results().forEach((name, r) -> verdicts.put(name, r.validity()));
    System.out.println(bug + " (seed " + seed + "): " + verdicts);
    assertEquals(Validity.INVALID, result.validity(), () -> "seed " + seed + ": " + result);
  }

  @Test
  void theSameClusterWithoutABugPasses() {
    // As short as WorkloadPipelineTest's valid run: a long valid history is slow to linearize.
    CompositeChecker.Composite result = run(null, 11, Duration.ofMillis(300));
    assertEquals(Validity.VALID, result.validity(), () -> "seed 11: " + result);
  }
}
