package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.standin.ClockProbe;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The clock and disk plumbing of the host-fault nemeses, with a probe process instead of the node:
 * a JVM under libfaketime (as {@link FakeClock} sets it up) sees the offset written to its file,
 * and a new offset, without a restart, while its monotonic clock does not jump; the full-disk fault
 * fills only the container's small tmpfs and frees it again.
 */
@Tag("docker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class HostFaultsPlumbingIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final String CLASSES = "/opt/probe";

  private final ExecutorService executor = Executors.newFixedThreadPool(1);
  private ChaosCluster cluster;
  private ChaosNode node;

  /** One container running {@link ClockProbe} under libfaketime, with a 16 MB tmpfs at /data. */
  private static final class ProbeLauncher implements NodeLauncher {
    private final String javaHome = System.getProperty("java.home");

    @Override
    public Map<String, String> mounts() {
      Map<String, String> out = new LinkedHashMap<>();
      try {
        out.put(
            Path.of(ClockProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString(),
            CLASSES);
      } catch (URISyntaxException e) {
        throw new IllegalStateException("cannot locate the test classes", e);
      }
      if (!javaHome.startsWith("/usr/")) {
        out.put(javaHome, javaHome);
      }
      return out;
    }

    @Override
    public List<String> command(String id, Map<String, String> addresses) {
      return List.of(
          javaHome + "/bin/java",
          "-Xmx32m",
          "-XX:+UseSerialGC",
          "-cp",
          CLASSES,
          ClockProbe.class.getName());
    }

    @Override
    public Map<String, String> environment(String id) {
      return FakeClock.environment();
    }

    @Override
    public Map<String, String> tmpfs() {
      return Map.of("/data", "rw,size=16m");
    }
  }

  /** What the probe printed last: wall millis and monotonic nanos. */
  private record Reading(long wall, long mono) {}

  @BeforeAll
  void start() {
    Assumptions.assumeTrue(FakeClock.available(), "the host has no libfaketime (apt faketime)");
    cluster = ChaosCluster.start(1, new ProbeLauncher(), 8053, 53535, executor);
    node = cluster.nodes().get(0);
    Await.until("probe printing", DEADLINE, POLL, () -> reading() != null);
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    executor.shutdownNow();
  }

  private Reading reading() {
    String[] lines = node.logTail(1).strip().split("\n");
    String last = lines[lines.length - 1];
    if (!last.startsWith("wall=")) {
      return null;
    }
    String[] parts = last.split(" ");
    return new Reading(
        Long.parseLong(parts[0].substring(5)), Long.parseLong(parts[1].substring(5)));
  }

  /** The probe's wall clock minus the host's, in seconds, rounded. */
  private long skewSeconds() {
    Reading r = reading();
    return r == null ? Long.MIN_VALUE : Math.round((r.wall() - System.currentTimeMillis()) / 1e3);
  }

  private void awaitSkew(long seconds) {
    Await.until(
        "probe's clock off by " + seconds + " s (now " + skewSeconds() + ")",
        Duration.ofSeconds(10),
        POLL,
        () -> Math.abs(skewSeconds() - seconds) <= 1);
  }

  @Test
  void theProcessSeesEachNewOffsetWithoutARestartAndItsMonotonicClockStaysReal() {
    awaitSkew(0);
    Reading before = reading();
    long beforeHost = System.nanoTime();
    assertTrue(ContainerHostFaults.setClockOffset(node, 150), "libfaketime in the process");
    awaitSkew(150);
    assertTrue(ContainerHostFaults.setClockOffset(node, -90), "libfaketime in the process");
    awaitSkew(-90);
    Reading after = reading();
    long hostElapsed = System.nanoTime() - beforeHost;
    // the same process all along, and its nanoTime moved as the host's did (not by the offsets)
    assertTrue(node.processAlive(), "probe still running");
    long monoElapsed = after.mono() - before.mono();
    assertTrue(
        Math.abs(monoElapsed - hostElapsed) < 2_000_000_000L,
        "monotonic clock moved " + monoElapsed + " ns while the host's moved " + hostElapsed);
    assertTrue(ContainerHostFaults.setClockOffset(node, 0), "libfaketime in the process");
    awaitSkew(0);
  }

  @Test
  void aFullDiskFillsOnlyTheSmallDataMountAndIsFreedAgain() {
    long bytes = ContainerHostFaults.fillDisk(node);
    assertTrue(bytes > 10L << 20 && bytes <= 16L << 20, "filled " + bytes + " bytes");
    String df =
        node.exec(List.of("/bin/sh", "-c", "df -Pk /data | awk 'NR==2{print $4}'")).getStdout();
    assertEquals("0", df.strip(), "no space left on /data");
    ContainerHostFaults.freeDisk(node);
    String freed =
        node.exec(List.of("/bin/sh", "-c", "df -Pk /data | awk 'NR==2{print $4}'")).getStdout();
    assertTrue(Long.parseLong(freed.strip()) > 10_000, "free again: " + freed);
  }
}
