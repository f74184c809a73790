package dev.quorumdns.chaos.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The real node: {@code dev.quorumdns.server.ServerMain node ...} from the server module's build
 * ({@code quorumdns-server.jar} and {@code lib/}), mounted read-only at {@value #DIST} and run with
 * the JDK the tests run on. Ports are the same in every container (own IP each). Immutable.
 */
public final class QuorumDnsLauncher implements NodeLauncher {
  public static final String DIST = "/opt/quorumdns";
  public static final int API_PORT = 8053;
  public static final int DNS_PORT = 53535;
  public static final int RAFT_PORT = 9053;

  private final Path dist;
  private final String javaHome;
  private final List<String> extraArgs;
  private final boolean hostFaults;

  /**
   * @param dist the server module's target directory holding quorumdns-server.jar and lib/
   * @param javaHome a JDK visible inside the container (under the host's /usr)
   * @param extraArgs appended to the node's flags (e.g. Raft timeouts)
   */
  public QuorumDnsLauncher(Path dist, String javaHome, List<String> extraArgs) {
    this(dist, javaHome, extraArgs, false);
  }

  private QuorumDnsLauncher(
      Path dist, String javaHome, List<String> extraArgs, boolean hostFaults) {
    if (!Files.isRegularFile(dist.resolve("quorumdns-server.jar"))) {
      throw new IllegalArgumentException(
          "dist: "
              + dist
              + " has no quorumdns-server.jar (expected: mvn -pl server -am package first)");
    }
    this.dist = dist;
    this.javaHome = javaHome;
    this.extraArgs = List.copyOf(extraArgs);
    this.hostFaults = hostFaults;
  }

  /**
   * The same nodes ready for clock and disk faults: libfaketime preloaded into the JVM (its offset
   * file read at run time, see {@link FakeClock}) and {@code /data} a small tmpfs of its own, so a
   * full-disk fault fills that and not the host's disk.
   */
  public QuorumDnsLauncher withHostFaults() {
    return new QuorumDnsLauncher(dist, javaHome, extraArgs, true);
  }

  @Override
  public Map<String, String> environment(String id) {
    return hostFaults ? FakeClock.environment() : Map.of();
  }

  @Override
  public Map<String, String> tmpfs() {
    return hostFaults ? Map.of("/data", "rw,size=" + FakeClock.DATA_TMPFS_SIZE) : Map.of();
  }

  @Override
  public Map<String, String> mounts() {
    return Map.of(dist.toAbsolutePath().toString(), DIST);
  }

  @Override
  public List<String> command(String id, Map<String, String> addresses) {
    String peers =
        addresses.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue() + ":" + RAFT_PORT)
            .collect(Collectors.joining(","));
    return argv(id, addresses, List.of("--peers", peers));
  }

  /** A new member: no peers; it waits to be added and is filled by the leader. */
  @Override
  public List<String> joinCommand(String id, Map<String, String> addresses) {
    return argv(id, addresses, List.of("--join"));
  }

  /** A node that finds its cluster through every other node's API and asks to be added. */
  @Override
  public List<String> retryJoinCommand(String id, Map<String, String> addresses) {
    String others =
        addresses.entrySet().stream()
            .filter(e -> !e.getKey().equals(id))
            .map(e -> e.getValue() + ":" + API_PORT)
            .collect(Collectors.joining(","));
    return argv(id, addresses, List.of("--retry-join", others));
  }

  private List<String> argv(String id, Map<String, String> addresses, List<String> membership) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                javaHome + "/bin/java",
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                DIST + "/quorumdns-server.jar:" + DIST + "/lib/*",
                "dev.quorumdns.server.ServerMain",
                "node",
                "--id",
                id,
                "--data-dir",
                "/data/" + id,
                "--bind",
                "0.0.0.0",
                "--advertise",
                addresses.get(id),
                "--dns-port",
                String.valueOf(DNS_PORT),
                "--api-port",
                String.valueOf(API_PORT),
                "--raft-port",
                String.valueOf(RAFT_PORT)));
    argv.addAll(membership);
    argv.addAll(extraArgs);
    return argv;
  }
}
