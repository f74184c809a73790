package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.checker.Validity;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.run.ChaosRun;
import dev.quorumdns.chaos.run.RunSettings;
import dev.quorumdns.chaos.run.Scenario;
import dev.quorumdns.chaos.standin.StandInLauncher;
import dev.quorumdns.chaos.workload.WorkloadConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole seeded run of the machinery against stand-in processes (not the node): DNS clients on
 * every node, the nemesis schedule (kills, restart of all, pauses, partitions, packet loss), heal,
 * final phase, checkers, report. The stand-in answers NXDOMAIN and has no registry API, so only DNS
 * availability can be judged valid; the registry checkers must say unknown, never valid or invalid.
 * {@code -Dchaos.seed=N} repeats a run; {@code -Dchaos.long=true} uses 5 nodes and 30 minutes.
 */
@Tag("standin")
@Timeout(value = 45, unit = TimeUnit.MINUTES)
class StandInChaosRunIT {
  private static final List<FaultKind> FAULTS =
      List.of(
          FaultKind.KILL_RANDOM,
          FaultKind.KILL_MAJORITY,
          FaultKind.KILL_LEADER,
          FaultKind.RESTART_ALL,
          FaultKind.PAUSE_LEADER,
          FaultKind.PARTITION_LEADER,
          FaultKind.PARTITION_HALVES,
          FaultKind.PARTITION_RING,
          FaultKind.PARTITION_ONE_WAY,
          FaultKind.PACKET_LOSS);

  @Test
  void nemesisScheduleAgainstStandInsKeepsDnsAnsweredAndWritesTheReport() {
    long seed = Long.getLong("chaos.seed", System.nanoTime() & 0xffffffL);
    boolean longForm = Boolean.getBoolean("chaos.long");
    RunSettings settings =
        (longForm ? RunSettings.longForm() : RunSettings.shortForm().withNodes(3))
            .withWorkload(new WorkloadConfig(0, 3, 8, 4, 0, 0))
            .withConvergeWithin(Duration.ofSeconds(3));
    Duration length = longForm ? Duration.ofMinutes(30) : Duration.ofSeconds(40);
    Path root = Path.of(System.getProperty("chaos.report.dir", "target/chaos"));
    String runId = "plumbing-" + seed;
    System.out.println("chaos seed " + seed + ", report " + root.resolve(runId).toAbsolutePath());

    ChaosRun.Result result =
        new ChaosRun(
                runId,
                seed,
                new StandInLauncher(),
                StandInLauncher.API_PORT,
                StandInLauncher.DNS_PORT,
                9053,
                settings,
                root)
            .execute(
                List.of(new Scenario("plumbing", FAULTS, length)),
                (node, api, dns) -> dns.resolve(node.id(), "chaos/s0").type() == OpType.OK,
                (cluster, api) -> () -> Optional.of("n1"));
    String where = result.where();

    int injected = result.nemesis().get(0).injected();
    assertTrue(injected >= 5, "faults injected " + result.nemesis() + "; " + where);
    assertEquals(injected, result.summary().faults(), where);
    assertEquals(
        Validity.VALID,
        result.checks().results().get("dns-availability").validity(),
        () -> result.checks().results().get("dns-availability") + "; " + where);
    assertTrue(result.summary().dnsAvailability().get("plumbing") >= 0.99, where);
    assertEquals(Validity.UNKNOWN, result.checks().results().get("final-reads").validity(), where);
    assertEquals(
        Validity.UNKNOWN,
        result.checks().validity(),
        "a stand-in run proves machinery, not the registry; " + where);
    assertTrue(Files.exists(root.resolve("latest/summary.json")), where);
    assertTrue(Files.exists(root.resolve(runId).resolve("n1.log")), where);
  }
}
