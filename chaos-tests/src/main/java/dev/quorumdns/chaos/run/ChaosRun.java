package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.checker.Checkers;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.client.DnsjavaClient;
import dev.quorumdns.chaos.client.HttpRegistryClient;
import dev.quorumdns.chaos.cluster.Await;
import dev.quorumdns.chaos.cluster.ChaosCluster;
import dev.quorumdns.chaos.cluster.ChaosNode;
import dev.quorumdns.chaos.cluster.ContainerControl;
import dev.quorumdns.chaos.cluster.NodeLauncher;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryJson;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.nemesis.Nemeses;
import dev.quorumdns.chaos.nemesis.NemesisRunner;
import dev.quorumdns.chaos.nemesis.NemesisSchedule;
import dev.quorumdns.chaos.report.RunInfo;
import dev.quorumdns.chaos.report.RunReport;
import dev.quorumdns.chaos.report.Summary;
import dev.quorumdns.chaos.workload.FinalPhase;
import dev.quorumdns.chaos.workload.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * check the history and write the report (with each node's log tail). Scenario {@code i} uses seed
 * {@code seed + i}. Runs on the calling thread plus its own pool; one run per instance.
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

  private final String runId;
  private final long seed;
  private final NodeLauncher launcher;
  private final int apiPort;
  private final int dnsPort;
  private final int raftPort;
  private final RunSettings settings;
  private final Path reportRoot;

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
            settings.workload().writers() + settings.workload().resolvers() + 4);
    try (ChaosCluster cluster =
        ChaosCluster.start(settings.nodes(), launcher, apiPort, dnsPort, pool)) {
      HttpRegistryClient api =
          new HttpRegistryClient(id -> cluster.node(id).apiUri(), settings.requestTimeout());
      DnsjavaClient dns =
          new DnsjavaClient(
              id -> cluster.node(id).dnsAddress(), "mesh.internal", settings.requestTimeout());
      for (ChaosNode node : cluster.nodes()) {
        Await.until(
            node.id() + " ready (log: " + node.logTail(5) + ")",
            settings.readyTimeout(),
            Duration.ofMillis(200),
            () -> readiness.ready(node, api, dns));
      }
      HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
      ContainerControl control =
          new ContainerControl(cluster, leader.apply(cluster, api), api, raftPort);
      Workload workload =
          new Workload(api, dns, cluster.ids(), recorder, settings.workload(), seed);
      List<NemesisRunner.Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < scenarios.size(); i++) {
        // Each scenario starts on a whole cluster: nodes still restarting from the last one would
        // leave the
        // next one's faults and queries with nobody to hit.
        for (ChaosNode node : cluster.nodes()) {
          Await.until(
              node.id()
                  + " ready before scenario "
                  + scenarios.get(i).name()
                  + " (log: "
                  + node.logTail(5)
                  + ")",
              settings.restartBound(),
              Duration.ofMillis(200),
              () -> readiness.ready(node, api, dns));
        }
        outcomes.add(scenario(scenarios.get(i), seed + i, recorder, control, workload, pool));
      }
      cluster.heal();
      new FinalPhase(api, dns, recorder)
          .run(cluster.ids(), workload.names(), settings.convergeWithin(), Duration.ofMillis(250));
      History history = recorder.snapshot();
      CompositeChecker.Composite checks =
          Checkers.standard(
                  settings.convergeWithin(), settings.minDnsShare(), settings.restartBound())
              .check(history);
      RunInfo info =
          new RunInfo(
              runId,
              seed,
              cluster.ids(),
              scenarios.stream().map(Scenario::name).toList(),
              settings.nodes() + " nodes; " + settings.workload());
      Summary summary = new RunReport(reportRoot).write(info, history, checks);
      keepLogs(cluster);
      return new Result(summary, checks, outcomes, history);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report of " + runId, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private NemesisRunner.Outcome scenario(
      Scenario scenario,
      long scenarioSeed,
      HistoryRecorder recorder,
      ContainerControl control,
      Workload workload,
      ExecutorService pool) {
    recorder.phase("scenario", scenario.name());
    NemesisSchedule schedule =
        NemesisSchedule.plan(
            scenarioSeed,
            scenario.faults(),
            scenario.length(),
            new Duration[] {settings.holdMin(), settings.holdMax()},
            new Duration[] {settings.gapMin(), settings.gapMax()});
    AtomicBoolean stop = new AtomicBoolean();
    Future<NemesisRunner.Outcome> nemesis =
        pool.submit(
            () ->
                new NemesisRunner(control, Nemeses.all(settings.lossProbability()), recorder)
                    .run(schedule, stop::get));
    try {
      workload.run(scenario.length(), pool, stop::get);
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
    }
  }

  private void keepLogs(ChaosCluster cluster) throws IOException {
    Path dir = reportRoot.resolve(runId);
    for (ChaosNode node : cluster.nodes()) {
      Files.writeString(
          dir.resolve(node.id() + ".log"), node.logTail(2000), StandardCharsets.UTF_8);
    }
  }

  /** Reads a recorded history back, e.g. to re-check a run: {@code ChaosRun.reread(dir)}. */
  public static History reread(Path runDir) throws IOException {
    return new HistoryJson().read(runDir.resolve("history.jsonl"));
  }
}
