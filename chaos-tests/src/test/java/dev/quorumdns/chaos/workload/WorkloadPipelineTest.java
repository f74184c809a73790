package dev.quorumdns.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.checker.Checkers;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.checker.Validity;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.report.RunInfo;
import dev.quorumdns.chaos.report.RunReport;
import dev.quorumdns.chaos.report.Summary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Workload → history → checkers → report against an in-memory cluster: no false alarms, real bugs
 * caught.
 */
@Timeout(60)
class WorkloadPipelineTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private final ExecutorService executor = Executors.newFixedThreadPool(10);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private CompositeChecker.Composite run(
      FakeCluster cluster, long seed, HistoryRecorder recorder, Duration length) {
    return run(cluster, null, false, seed, recorder, length);
  }

  /** The watch and lease workloads' pacing in memory: 1 s leases, 1.5 s to settle. */
  static final WatchLeaseWorkload.Config IN_MEMORY =
      new WatchLeaseWorkload.Config(
          3,
          1,
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          Duration.ofMillis(50),
          Duration.ofSeconds(2),
          Duration.ofMillis(500));

  private CompositeChecker.Composite run(
      FakeCluster cluster,
      FakeWatchLeases.Bug watchLeaseBug,
      boolean watchAndLease,
      long seed,
      HistoryRecorder recorder,
      Duration length) {
    recorder.phase("scenario", "in-memory");
    Workload workload =
        new Workload(
            cluster, cluster, NODES, recorder, new WorkloadConfig(3, 3, 8, 4, 0.2, 0.25), seed);
    WatchLeaseWorkload watchLease =
        new WatchLeaseWorkload(
            cluster,
            new FakeWatchLeases(cluster, NODES, seed, watchLeaseBug),
            NODES,
            recorder,
            IN_MEMORY,
            seed);
    HoldDownWorkload holds =
        new HoldDownWorkload(cluster, NODES, recorder, FakeCluster.HOLD_DOWN, 6, seed);
    java.util.concurrent.Future<Long> holding =
        executor.submit(() -> holds.run(length, () -> false));
    BatchWorkload batches = new BatchWorkload(cluster, NODES, recorder, 3, seed);
    java.util.concurrent.Future<Long> batching =
        executor.submit(() -> batches.run(length, () -> false));
    if (watchAndLease) {
      watchLease.start();
    }
    long ops = workload.run(length, executor, () -> false);
    assertTrue(ops > 200, "workload ran: " + ops);
    try {
      assertTrue(holding.get() > 10, "hold-down client ran");
      assertTrue(batching.get() > 0, "batch client ran");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    if (watchAndLease) {
      watchLease.settle();
    }
    new FinalPhase(cluster, cluster, recorder)
        .run(NODES, workload.names(), Duration.ofSeconds(5), Duration.ofMillis(10));
    if (watchAndLease) {
      watchLease.finish(FinalPhase.lastRevisions(recorder.snapshot()), Duration.ofSeconds(10));
    }
    CompositeChecker.Composite result =
        Checkers.standard(
                Duration.ofSeconds(5),
                0.99,
                Duration.ofSeconds(5),
                FakeCluster.HOLD_DOWN,
                watchAndLease,
                Duration.ZERO)
            .check(recorder.snapshot());
    System.out.println(recorder.snapshot().size() + " events, checker millis " + result.millis());
    return result;
  }

  @Test
  void correctClusterWithLagAndUnknownOutcomesIsValidAndReported(@TempDir Path root)
      throws IOException {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    CompositeChecker.Composite result =
        run(new FakeCluster(NODES, 11, 0.03, Set.of()), 11, recorder, Duration.ofMillis(300));
    History history = recorder.snapshot();

    assertEquals(Validity.VALID, result.validity(), () -> result.results().toString());
    var holdDown = result.results().get("vip-hold-down").stats();
    assertTrue(
        ((Number) holdDown.get("returnsWithinHold")).longValue() > 0
            && ((Number) holdDown.get("othersJudgedWithinHold")).longValue() == 0,
        holdDown::toString);
    Summary summary =
        new RunReport(root)
            .write(
                new RunInfo("in-memory-11", 11, NODES, List.of("in-memory"), null),
                history,
                result);
    assertTrue(summary.valid());
    // A lagging replica's NXDOMAIN for an acknowledged name is a wrong answer, not an answered one:
    // the lag (3 %) costs a little availability, within the minimum.
    assertTrue(
        summary.dnsAvailability().get("in-memory") >= 0.99,
        () -> summary.dnsAvailability().toString());
    assertTrue(summary.registryOperations() > 0 && summary.dnsQueries() > 0, summary::toString);
    assertTrue(
        history.operations().stream().anyMatch(op -> op.isInfo()),
        "unknown outcomes were exercised");
  }

  @Test
  void theRunIsTimedFromTheLastClientsStart() {
    // The last client's thread starts 500 ms late, longer than the whole 300 ms run: it still gets
    // its turn.
    java.util.concurrent.atomic.AtomicInteger starts =
        new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService late =
        new java.util.concurrent.ThreadPoolExecutor(
            8,
            8,
            1,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>()) {
          @Override
          protected void beforeExecute(Thread t, Runnable r) {
            if (starts.incrementAndGet() == 6) {
              java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
            }
          }
        };
    try {
      HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
      FakeCluster cluster = new FakeCluster(NODES, 3, 0.0, Set.of());
      Workload workload =
          new Workload(
              cluster, cluster, NODES, recorder, new WorkloadConfig(3, 3, 8, 4, 0.2, 0.25), 3);
      workload.run(Duration.ofMillis(300), late, () -> false);
      Set<Integer> clients = new java.util.TreeSet<>();
      recorder.snapshot().operations().forEach(op -> clients.add(op.invoke().process() % 6));
      assertEquals(Set.of(0, 1, 2, 3, 4, 5), clients, "every client made operations");
    } finally {
      late.shutdownNow();
    }
  }

  @Test
  void writersBackOffAfterAFailure() {
    // Every node down: each call fails at once. Without a back-off three writers made ~10^5 calls
    // here.
    dev.quorumdns.chaos.client.RegistryApi down =
        new dev.quorumdns.chaos.client.RegistryApi() {
          private dev.quorumdns.chaos.client.Outcome refused() {
            return dev.quorumdns.chaos.client.Outcome.info("io", "header parser received no bytes");
          }

          @Override
          public dev.quorumdns.chaos.client.Outcome put(
              String node, String name, dev.quorumdns.chaos.client.ServiceSpec spec) {
            return refused();
          }

          @Override
          public dev.quorumdns.chaos.client.Outcome delete(String node, String name) {
            return refused();
          }

          @Override
          public dev.quorumdns.chaos.client.Outcome get(String node, String name) {
            return dev.quorumdns.chaos.client.Outcome.fail("io", "header parser received no bytes");
          }

          @Override
          public dev.quorumdns.chaos.client.Outcome list(String node, boolean stale) {
            return get(node, "");
          }

          @Override
          public dev.quorumdns.chaos.client.ClusterStatus cluster(String node) {
            throw new UnsupportedOperationException();
          }
        };
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    FakeCluster dns = new FakeCluster(NODES, 3, 0.0, Set.of());
    long ops =
        new Workload(down, dns, NODES, recorder, new WorkloadConfig(3, 0, 8, 4, 0.2, 0.25), 3)
            .run(Duration.ofMillis(500), executor, () -> false);
    long bound = 3 * (500 / Workload.ERROR_BACKOFF.toMillis() + 1);
    assertTrue(
        ops > 0 && ops <= bound,
        ops + " failed calls in 500 ms by 3 writers (at most " + bound + ")");
  }

  @Test
  void everyNodeHasAResolverAndAResolverStaysOnItsShare() {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    Workload four =
        new Workload(null, null, NODES, recorder, new WorkloadConfig(1, 4, 8, 4, 0.2, 0.25), 1);
    assertEquals(
        List.of(List.of("n1"), List.of("n2"), List.of("n3"), List.of("n1")),
        List.of(
            four.resolverShare(0),
            four.resolverShare(1),
            four.resolverShare(2),
            four.resolverShare(3)));
    List<String> five = List.of("n1", "n2", "n3", "n4", "n5");
    Workload two =
        new Workload(null, null, five, recorder, new WorkloadConfig(1, 2, 8, 4, 0.2, 0.25), 1);
    assertEquals(List.of("n1", "n3", "n5"), two.resolverShare(0));
    assertEquals(List.of("n2", "n4"), two.resolverShare(1));
  }

  // The history of the unpaced resolvers is large: on a loaded 2-core machine the older checkers
  // took over 60 s on it (vip-stable, dns-monotonic), after the lease bug was caught.
  @Test
  @Timeout(180)
  void watchesAndLeasesOnACorrectClusterAreValid() {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    CompositeChecker.Composite result =
        run(
            new FakeCluster(NODES, 13, 0.03, Set.of()),
            null,
            true,
            13,
            recorder,
            Duration.ofMillis(500));
    System.out.println("watch " + result.results().get("watch").stats());
    System.out.println("lease " + result.results().get("lease").stats());
    assertEquals(Validity.VALID, result.validity(), () -> result.results().toString());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FakeWatchLeases.Bug.class)
  @Timeout(180)
  void eachWatchOrLeaseBugIsCaught(FakeWatchLeases.Bug bug) {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    CompositeChecker.Composite result =
        run(
            new FakeCluster(NODES, 7, 0.0, Set.of()),
            bug,
            true,
            7,
            recorder,
            Duration.ofMillis(500));
    String expected =
        switch (bug) {
          case DROP_WATCH_EVENT -> "watch";
          case EXPIRE_RENEWED_LEASE -> "lease";
        };
    System.out.println(bug + ": " + result.results().get(expected));
    assertEquals(
        Validity.INVALID,
        result.results().get(expected).validity(),
        () -> result.results().toString());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FakeCluster.Bug.class)
  void eachBugIsCaught(FakeCluster.Bug bug) {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    // Long enough that even on a loaded machine every injected bug shows up in the history.
    CompositeChecker.Composite result =
        run(new FakeCluster(NODES, 5, 0.02, Set.of(bug)), 5, recorder, Duration.ofMillis(1500));
    String expected =
        switch (bug) {
          case LOSE_ACKNOWLEDGED_WRITE -> "final-reads";
          case VIP_CHANGES_ON_UPDATE -> "vip-stable";
          case DNS_TIME_TRAVEL -> "dns-monotonic";
          case SHARED_VIP -> "vip-unique";
          case SILENT_NODE -> "convergence";
          case EMPTY_DNS -> "dns-availability";
          case HELD_VIP_REUSE -> "vip-hold-down";
          case REVISION_GOES_BACK -> "revision-order";
          case AAAA_WRONG -> "aaaa:vip-stable";
          // the name a wrong PTR answer gives is judged by either (whichever window it falls in)
          case PTR_NAMES_ANOTHER ->
              result.results().get("ptr4:vip-stable").validity() == Validity.INVALID
                  ? "ptr4:vip-stable"
                  : "ptr4:vip-unique";
          case TORN_BATCH -> "batch-atomic";
        };
    assertEquals(
        Validity.INVALID,
        result.results().get(expected).validity(),
        () -> result.results().toString());
    assertEquals(Validity.INVALID, result.validity());
  }
}
