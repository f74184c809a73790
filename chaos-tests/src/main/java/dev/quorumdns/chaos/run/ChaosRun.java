package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.checker.ActivityChecker;
import dev.quorumdns.chaos.checker.AutopilotChecker;
import dev.quorumdns.chaos.checker.AutopilotRules;
import dev.quorumdns.chaos.checker.Checkers;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.checker.NodeLogChecker;
import dev.quorumdns.chaos.client.ClusterProbe;
import dev.quorumdns.chaos.client.DnsjavaClient;
import dev.quorumdns.chaos.client.HttpRegistryClient;
import dev.quorumdns.chaos.client.HttpWatchLeaseClient;
import dev.quorumdns.chaos.cluster.Await;
import dev.quorumdns.chaos.cluster.ChaosCluster;
import dev.quorumdns.chaos.cluster.ChaosNode;
import dev.quorumdns.chaos.cluster.ContainerControl;
import dev.quorumdns.chaos.cluster.NodeLauncher;
import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryJson;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.nemesis.Nemeses;
import dev.quorumdns.chaos.nemesis.NemesisRunner;
import dev.quorumdns.chaos.nemesis.NemesisSchedule;
import dev.quorumdns.chaos.nemesis.StepDeadline;
import dev.quorumdns.chaos.report.RunInfo;
import dev.quorumdns.chaos.report.RunReport;
import dev.quorumdns.chaos.report.Summary;
import dev.quorumdns.chaos.workload.BatchWorkload;
import dev.quorumdns.chaos.workload.FinalPhase;
import dev.quorumdns.chaos.workload.HoldDownWorkload;
import dev.quorumdns.chaos.workload.WatchLeaseWorkload;
import dev.quorumdns.chaos.workload.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * One Jepsen-style run: start the cluster, wait until every node is ready, then for each scenario
 * run the workload while its seeded nemesis schedule injects faults; heal, read everything back,
 * check the history and every node's log and write the report (with each node's log). When anything
 * throws on the way, the report and logs are still written, then the run fails. Scenario {@code i}
 * uses seed {@code seed + i}. Runs on the calling thread plus its own pool; one run per instance.
 */
public final class ChaosRun {
  /** Is this node ready for the run? (e.g. answers /readyz, or DNS for a stand-in) */
  public interface Readiness {
    boolean ready(ChaosNode node, HttpRegistryClient api, DnsjavaClient dns);
  }

  /** What a run produced. Immutable. */
  public record Result(
      Summary summary,
      CompositeChecker.Composite checks,
      List<NemesisRunner.Outcome> nemesis,
      History history) {
    public Result {
      nemesis = List.copyOf(nemesis);
    }

    /** "seed N, report PATH": what a failure message must carry. */
    public String where() {
      return "seed " + summary.seed() + ", report " + summary.report();
    }
  }

  /** The longest fetching one node's log may take. */
  private static final Duration LOG_DEADLINE = Duration.ofSeconds(60);

  private final String runId;
  private final long seed;
  private final NodeLauncher launcher;
  private final int apiPort;
  private final int dnsPort;
  private final int raftPort;
  private final RunSettings settings;
  private final Path reportRoot;
  private boolean watchAndLease = true;

  public ChaosRun(
      String runId,
      long seed,
      NodeLauncher launcher,
      int apiPort,
      int dnsPort,
      int raftPort,
      RunSettings settings,
      Path reportRoot) {
    this.runId = runId;
    this.seed = seed;
    this.launcher = launcher;
    this.apiPort = apiPort;
    this.dnsPort = dnsPort;
    this.raftPort = raftPort;
    this.settings = settings;
    this.reportRoot = reportRoot;
  }

  /**
   * @param leader given the cluster and an API client, where nemeses learn the leader from (for the
   *     node: {@link ContainerControl#leaderFromApi})
   */
  public Result execute(
      List<Scenario> scenarios,
      Readiness readiness,
      BiFunction<ChaosCluster, HttpRegistryClient, Supplier<Optional<String>>> leader) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            settings.workload().writers() + settings.workload().resolvers() + 6);
    try (ChaosCluster cluster =
        ChaosCluster.start(settings.nodes(), launcher, apiPort, dnsPort, pool)) {
      HttpRegistryClient api =
          new HttpRegistryClient(
              id -> cluster.node(id).apiUri(), settings.requestTimeout(), settings.writeTimeout());
      DnsjavaClient dns =
          new DnsjavaClient(
              id -> cluster.node(id).dnsAddress(), "mesh.internal", settings.requestTimeout());
      HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
      List<NemesisRunner.Outcome> outcomes = new ArrayList<>();
      RuntimeException failure = null;
      Workload workload = null;
      HoldDownWorkload holds = null;
      HttpWatchLeaseClient watchLeaseApi =
          new HttpWatchLeaseClient(id -> cluster.node(id).apiUri(), Duration.ofSeconds(5));
      WatchLeaseWorkload watchLease = null;
      RemovedFounders removed = null;
      // Whatever throws from here on (readiness, a nemesis, the workload, the final phase), the
      // history, the checkers' verdicts, the report and every node's log are still written; then
      // the run fails with the first error.
      try {
        for (ChaosNode node : cluster.nodes()) {
          Await.until(
              node.id() + " ready (log: " + node.logTail(5) + ")",
              settings.readyTimeout(),
              Duration.ofMillis(200),
              () -> readiness.ready(node, api, dns));
        }
        ContainerControl control =
            new ContainerControl(cluster, leader.apply(cluster, api), api, raftPort);
        workload = new Workload(api, dns, cluster.ids(), recorder, settings.workload(), seed);
        holds = new HoldDownWorkload(api, cluster.ids(), recorder, VipSettings.HOLD_DOWN, 6, seed);
        BatchWorkload batches = new BatchWorkload(api, cluster.ids(), recorder, 4, seed);
        watchLease =
            new WatchLeaseWorkload(
                api,
                watchLeaseApi,
                cluster.ids(),
                recorder,
                WatchLeaseWorkload.Config.standard(),
                seed);
        if (watchAndLease) {
          watchLease.start();
        } else {
          watchLease = null;
        }
        removed = new RemovedFounders(cluster, control, recorder);
        for (int i = 0; i < scenarios.size(); i++) {
          // Each scenario starts on a whole cluster: nodes still restarting from the last one
          // would leave the next one's faults and queries with nobody to hit. A founder the
          // autopilot removed meanwhile is added back (RemovedFounders).
          for (ChaosNode node : cluster.nodes()) {
            RemovedFounders rejoin = removed;
            Await.until(
                node.id()
                    + " ready before scenario "
                    + scenarios.get(i).name()
                    + " (log: "
                    + node.logTail(5)
                    + ")",
                settings.restartBound(),
                Duration.ofMillis(200),
                () ->
                    readiness.ready(node, api, dns)
                        || rejoin.rejoinIfRemoved(node.id()) && readiness.ready(node, api, dns));
          }
          Scenario current = scenarios.get(i);
          outcomes.add(
              AutopilotChecker.SCENARIO.equals(current.name())
                  ? autopilot(
                      current, seed + i, recorder, cluster, control, api, dns, workload, pool)
                  : scenario(current, seed + i, recorder, control, workload, holds, batches, pool));
        }
      } catch (RuntimeException e) {
        failure = e;
        recorder.phase("aborted", String.valueOf(e.getMessage()));
      }
      try {
        StepDeadline.run("heal of the whole cluster", NemesisRunner.STEP_DEADLINE, cluster::heal);
        if (removed != null) {
          removed.rejoinAll();
        }
        if (watchLease != null) {
          watchLease.settle();
        }
        new FinalPhase(api, dns, recorder)
            .run(
                cluster.ids(),
                finalNames(workload, holds),
                settings.convergeWithin(),
                Duration.ofMillis(250));
        if (watchLease != null) {
          watchLease.finish(FinalPhase.lastRevisions(recorder.snapshot()), Duration.ofSeconds(30));
        }
      } catch (RuntimeException e) {
        failure = first(failure, e);
      }
      watchLeaseApi.close();
      History history = recorder.snapshot();
      CompositeChecker.Composite checks =
          Checkers.standard(
                  settings.convergeWithin(),
                  settings.minDnsShare(),
                  settings.restartBound(),
                  VipSettings.HOLD_DOWN,
                  watchAndLease)
              .check(history);
      checks =
          checks.with(
              new ActivityChecker(
                      Floors.perScenario(settings.workload()),
                      scenarios.stream().map(Scenario::name).toList())
                  .check(history),
              0);
      if (scenarios.stream().anyMatch(s -> s.name().equals(AutopilotChecker.SCENARIO))) {
        checks = checks.with(new AutopilotChecker(AutopilotRules.CHAOS).check(history), 0);
      }
      Map<String, String> logs = new LinkedHashMap<>(cluster.retiredLogs());
      for (ChaosNode node : cluster.nodes()) {
        try {
          logs.put(node.id(), StepDeadline.call("log of " + node.id(), LOG_DEADLINE, node::log));
        } catch (RuntimeException e) {
          failure = first(failure, e);
        }
      }
      long scanStarted = System.nanoTime();
      checks =
          checks.with(
              NodeLogChecker.standard().check(logs, faultWindows(history)),
              (System.nanoTime() - scanStarted) / 1_000_000);
      RunInfo info =
          new RunInfo(
              runId,
              seed,
              cluster.ids(),
              scenarios.stream().map(Scenario::name).toList(),
              settings.nodes() + " nodes; " + settings.workload());
      Summary summary = new RunReport(reportRoot).write(info, history, checks);
      Path dir = reportRoot.resolve(runId);
      for (Map.Entry<String, String> log : logs.entrySet()) {
        Files.writeString(
            dir.resolve(log.getKey() + ".log"), log.getValue(), StandardCharsets.UTF_8);
      }
      Result result = new Result(summary, checks, outcomes, history);
      if (failure != null) {
        throw new IllegalStateException(
            "chaos run failed (" + failure.getMessage() + "); " + result.where(), failure);
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report of " + runId, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static RuntimeException first(RuntimeException failure, RuntimeException next) {
    if (failure == null) {
      return next;
    }
    failure.addSuppressed(next);
    return failure;
  }

  /** Every name the final phase reads back: the writers' and the hold-down client's. */
  private static List<String> finalNames(Workload workload, HoldDownWorkload holds) {
    List<String> names = new ArrayList<>();
    if (workload != null) {
      names.addAll(workload.names());
    }
    if (holds != null) {
      names.addAll(holds.names());
    }
    return names;
  }

  private NemesisRunner.Outcome scenario(
      Scenario scenario,
      long scenarioSeed,
      HistoryRecorder recorder,
      ContainerControl control,
      Workload workload,
      HoldDownWorkload holds,
      BatchWorkload batches,
      ExecutorService pool) {
    recorder.phase("scenario", scenario.name());
    NemesisSchedule schedule =
        NemesisSchedule.plan(
            scenarioSeed,
            scenario.faults(),
            scenario.length(),
            new Duration[] {settings.holdMin(), settings.holdMax()},
            scenario.gaps().orElse(new Duration[] {settings.gapMin(), settings.gapMax()}));
    AtomicBoolean stop = new AtomicBoolean();
    Future<NemesisRunner.Outcome> nemesis =
        pool.submit(
            () ->
                new NemesisRunner(control, Nemeses.all(settings.lossProbability()), recorder)
                    .run(schedule, stop::get));
    Future<Long> holding = pool.submit(() -> holds.run(scenario.length(), stop::get));
    Future<Long> batching = pool.submit(() -> batches.run(scenario.length(), stop::get));
    try {
      workload.run(scenario.length(), pool, stop::get);
      holding.get(scenario.length().toSeconds() + 60, TimeUnit.SECONDS);
      batching.get(60, TimeUnit.SECONDS);
      try {
        return nemesis.get(120, TimeUnit.SECONDS);
      } catch (TimeoutException late) {
        // Behind its plan (slow re-adds, elections on a starved machine): no new faults, heal and
        // finish.
        stop.set(true);
        return nemesis.get(300, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in scenario " + scenario.name(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("nemesis failed in scenario " + scenario.name(), e);
    } finally {
      stop.set(true);
      awaitHealed(nemesis);
    }
  }

  /** After a failed scenario: give the stopped nemesis its time to heal what it holds. */
  private static void awaitHealed(Future<NemesisRunner.Outcome> nemesis) {
    try {
      nemesis.get(2 * NemesisRunner.STEP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // reported by the caller already, or the run fails on what the nemesis left behind
    }
  }

  /** The autopilot scenario: its script ({@link AutopilotScenario}) in place of a schedule. */
  private NemesisRunner.Outcome autopilot(
      Scenario scenario,
      long scenarioSeed,
      HistoryRecorder recorder,
      ChaosCluster cluster,
      ContainerControl control,
      HttpRegistryClient api,
      DnsjavaClient dns,
      Workload workload,
      ExecutorService pool) {
    recorder.phase("scenario", scenario.name());
    AtomicBoolean stop = new AtomicBoolean();
    ClusterProbe probe =
        new ClusterProbe(id -> cluster.node(id).apiUri(), settings.requestTimeout());
    AutopilotScenario script =
        new AutopilotScenario(
            cluster,
            control,
            api,
            dns,
            probe,
            recorder,
            workload::names,
            settings,
            AutopilotRules.CHAOS);
    Future<NemesisRunner.Outcome> driver =
        pool.submit(() -> script.run(scenario.length(), scenarioSeed, stop::get, pool));
    try {
      workload.run(scenario.length(), pool, stop::get);
      try {
        return driver.get(300, TimeUnit.SECONDS);
      } catch (TimeoutException late) {
        stop.set(true);
        return driver.get(300, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in scenario " + scenario.name(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("autopilot script failed in scenario " + scenario.name(), e);
    } finally {
      stop.set(true);
    }
  }

  /**
   * Whether the run also drives the watch and lease workloads and judges them (default: yes).
   * Returns this.
   */
  public ChaosRun withWatchAndLease(boolean on) {
    this.watchAndLease = on;
    return this;
  }

  /** Reads a recorded history back, e.g. to re-check a run: {@code ChaosRun.reread(dir)}. */
  public static History reread(Path runDir) throws IOException {
    return new HistoryJson().read(runDir.resolve("history.jsonl"));
  }

  /**
   * Each node's faults by wall-clock time, for the node-log checker's scoped entries: fault
   * intervals are kept in monotonic time, and every record carries both clocks.
   */
  static Map<String, List<NodeLogChecker.FaultWindow>> faultWindows(History history) {
    if (history.ops().isEmpty()) {
      return Map.of();
    }
    Op first = history.ops().get(0);
    long wallAtZero = first.wallMillis() - first.monoNanos() / 1_000_000;
    Map<String, List<NodeLogChecker.FaultWindow>> out = new LinkedHashMap<>();
    for (FaultInterval f : history.faults()) {
      long to =
          f.endNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : wallAtZero + f.endNanos() / 1_000_000;
      for (String node : f.nodes()) {
        out.computeIfAbsent(node, n -> new ArrayList<>())
            .add(
                new NodeLogChecker.FaultWindow(
                    f.kind().wire(), wallAtZero + f.startNanos() / 1_000_000, to));
      }
    }
    return out;
  }
}
