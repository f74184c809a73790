package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.checker.Validity;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.run.ChaosRun;
import dev.quorumdns.chaos.run.RunSettings;
import dev.quorumdns.chaos.run.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos suite against the real node: a cluster in containers, a seeded nemesis per scenario
 * (kills, pauses, partitions, quorum loss, packet loss, membership changes) under a concurrent
 * register/update/ delete/read and DNS workload, then heal, final reads and every checker. The
 * short form (CI) is 3 nodes and about ten minutes; {@code -Dchaos.long=true} is 5 nodes and about
 * 30 minutes; {@code -Dchaos.seed=N} repeats a run; {@code -Dchaos.scenarios=partition,kill} runs
 * only those scenarios (then the fault and operation minimums do not apply).
 */
@Tag("docker")
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class QuorumDnsChaosIT {
  /**
   * Raft timing chosen with this suite: elections settle in about a second on a loaded 2-core
   * machine.
   */
  private static final List<String> NODE_FLAGS =
      List.of(
          "--election-timeout",
          "400ms",
          "--write-timeout",
          "4s",
          "--snapshot-threshold",
          "500",
          "--raft-segment-size",
          "256KB",
          "--vip-hold-down",
          "10m");

  private static List<Scenario> scenarios(boolean longForm) {
    int scale = longForm ? 4 : 1;
    List<Scenario> s = new ArrayList<>();
    s.add(
        new Scenario(
            "kill",
            List.of(FaultKind.KILL_LEADER, FaultKind.KILL_RANDOM),
            Duration.ofSeconds(125L * scale)));
    s.add(new Scenario("pause", List.of(FaultKind.PAUSE_LEADER), Duration.ofSeconds(60L * scale)));
    s.add(
        new Scenario(
            "partition",
            List.of(
                FaultKind.PARTITION_LEADER,
                FaultKind.PARTITION_HALVES,
                FaultKind.PARTITION_RING,
                FaultKind.PARTITION_ONE_WAY),
            Duration.ofSeconds(130L * scale)));
    s.add(
        new Scenario(
            "quorum-loss",
            List.of(FaultKind.KILL_MAJORITY, FaultKind.RESTART_ALL),
            Duration.ofSeconds(100L * scale)));
    s.add(
        new Scenario(
            "packet-loss", List.of(FaultKind.PACKET_LOSS), Duration.ofSeconds(50L * scale)));
    s.add(
        new Scenario(
            "membership", List.of(FaultKind.MEMBER_CHANGE), Duration.ofSeconds(60L * scale)));
    String only = System.getProperty("chaos.scenarios", "").trim();
    if (!only.isEmpty()) {
      List<String> wanted = List.of(only.split(","));
      List<String> known = s.stream().map(Scenario::name).toList();
      for (String w : wanted) {
        if (!known.contains(w)) {
          throw new IllegalArgumentException(
              "chaos.scenarios: unknown scenario " + w + " (known: " + known + ")");
        }
      }
      s.removeIf(sc -> !wanted.contains(sc.name()));
    }
    return s;
  }

  @Test
  void theRegistryKeepsItsPromisesWhateverFails() {
    long seed = Long.getLong("chaos.seed", System.nanoTime() & 0xffffffL);
    boolean longForm = Boolean.getBoolean("chaos.long");
    RunSettings settings = longForm ? RunSettings.longForm() : RunSettings.shortForm();
    Path root = Path.of(System.getProperty("chaos.report.dir", "target/chaos"));
    String runId = (longForm ? "long-" : "short-") + seed;
    System.out.println("chaos seed " + seed + ", report " + root.resolve(runId).toAbsolutePath());

    QuorumDnsLauncher launcher =
        new QuorumDnsLauncher(
            Path.of(System.getProperty("chaos.node.dist")),
            System.getProperty("java.home"),
            NODE_FLAGS);
    ChaosRun.Result result =
        new ChaosRun(
                runId,
                seed,
                launcher,
                QuorumDnsLauncher.API_PORT,
                QuorumDnsLauncher.DNS_PORT,
                QuorumDnsLauncher.RAFT_PORT,
                settings,
                root)
            .execute(
                scenarios(longForm),
                (node, api, dns) -> api.ready(node.id()),
                (cluster, api) -> ContainerControl.leaderFromApi(cluster.ids(), api));
    String where = result.where();
    System.out.println("chaos summary: " + result.summary() + "; " + where);

    assertEquals(Validity.VALID, result.checks().validity(), () -> result.checks() + "; " + where);
    assertEquals(0, result.summary().anomalies(), where);
    assertTrue(Files.exists(root.resolve("latest/summary.json")), where);
    if (System.getProperty("chaos.scenarios", "").isBlank()) {
      assertTrue(
          result.summary().faults() >= 100,
          () ->
              "faults "
                  + result.summary().faults()
                  + ", skipped "
                  + result.nemesis().stream().flatMap(o -> o.skipped().stream()).toList()
                  + "; "
                  + where);
      assertTrue(
          result.summary().operations() >= 10_000,
          "operations " + result.summary().operations() + "; " + where);
    }
  }
}
