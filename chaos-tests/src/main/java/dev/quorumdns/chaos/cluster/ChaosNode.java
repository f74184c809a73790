package dev.quorumdns.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * One node's container and the process in it. The container (PID 1: docker-init and an idle shell)
 * lives for the whole test, so its address and firewall chain survive the node process being killed
 * and started again; the node process is started with {@code docker exec} and its pid kept in
 * {@code /run/node.pid}. Calls for one node must not run concurrently with each other; different
 * nodes may be driven from different threads.
 */
public final class ChaosNode implements AutoCloseable {
  private static final String IDLE = "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done";

  private final String id;
  private final int apiPort;
  private final int dnsPort;
  private final GenericContainer<?> container;
  private String ip;

  @SuppressWarnings("resource")
  ChaosNode(
      String id,
      String image,
      Network network,
      Map<String, String> mounts,
      Map<String, String> tmpfs,
      int apiPort,
      int dnsPort) {
    this.id = id;
    this.apiPort = apiPort;
    this.dnsPort = dnsPort;
    GenericContainer<?> c =
        new GenericContainer<>(DockerImageName.parse(image))
            .withImagePullPolicy(name -> false)
            .withNetwork(network)
            .withNetworkAliases(id)
            .withCommand("/bin/sh", "-c", IDLE)
            .withFileSystemBind("/usr", "/usr", BindMode.READ_ONLY)
            .withCreateContainerCmdModifier(
                cmd -> {
                  cmd.withHostName(id);
                  cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN).withInit(true);
                });
    for (String etc : List.of("/etc/alternatives", "/etc/java-17-openjdk")) {
      if (Files.isDirectory(Path.of(etc))) {
        c.withFileSystemBind(etc, etc, BindMode.READ_ONLY);
      }
    }
    mounts.forEach((host, inside) -> c.withFileSystemBind(host, inside, BindMode.READ_ONLY));
    if (!tmpfs.isEmpty()) {
      c.withTmpFs(tmpfs);
    }
    this.container = c;
  }

  void startContainer() {
    container.start();
    InspectContainerResponse info = container.getContainerInfo();
    ip = info.getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
    for (List<String> cmd : Firewall.setup()) {
      exec(cmd);
    }
  }

  public String id() {
    return id;
  }

  /** The node's address on the test's private network. */
  public String ip() {
    return ip;
  }

  /**
   * The node's HTTP API at the container's own address on the private network, as DNS is asked. Not
   * through a loopback port published by Docker (as before): its proxy accepts a connection even
   * when the node is down and then closes it, so a refused connection (a definite failure) looked
   * like a broken one (an unknown outcome).
   */
  public URI apiUri() {
    if (ip == null) {
      throw new IllegalStateException("container of " + id + " is not started");
    }
    return URI.create("http://" + ip + ":" + apiPort);
  }

  /**
   * The node's DNS (UDP and TCP) as the host reaches it: the container's address on the private
   * network, not the published loopback port. Through the published port every query from a new
   * source port would become a flow of Docker's userland proxy, which holds a host socket per flow
   * for its UDP timeout; at the suite's query rate those sockets used up the host's ephemeral ports
   * and the test's own queries failed to bind.
   */
  public InetSocketAddress dnsAddress() {
    if (ip == null) {
      throw new IllegalStateException("container of " + id + " is not started");
    }
    return new InetSocketAddress(ip, dnsPort);
  }

  /**
   * Where the node's output goes, all its runs: outside {@code /data}, as a journal would be, so a
   * full data disk (the disk-full nemesis) cannot cut its lines short (run short-6849001: n1's
   * "audit log cannot be written" ERROR was cut after "cannot be w", and the log scan could not
   * read what it was).
   */
  static final String LOG_FILE = "/run/node.log";

  /** Starts the node process in the background; its output goes to {@link #LOG_FILE}. */
  public void startProcess(List<String> argv, Map<String, String> env) {
    String envs =
        env.entrySet().stream()
            .map(e -> quote(e.getKey() + "=" + e.getValue()))
            .collect(Collectors.joining(" "));
    String cmd = argv.stream().map(ChaosNode::quote).collect(Collectors.joining(" "));
    execShell(
        "cd /data && env "
            + envs
            + " "
            + cmd
            + " >>"
            + LOG_FILE
            + " 2>&1 </dev/null & echo $! >/run/node.pid");
  }

  /** Deletes the node's data directory ({@code /data/<id>}); its log file stays. */
  public void wipeData() {
    execShell("rm -rf /data/" + id);
  }

  /** True while the node process exists (stopped counts as existing). */
  public boolean processAlive() {
    return exec(
                List.of("/bin/sh", "-c", "[ -s /run/node.pid ] && kill -0 $(cat /run/node.pid)"),
                false)
            .getExitCode()
        == 0;
  }

  /** kill -9 of the node process. */
  public void kill() {
    signal("KILL");
  }

  /** SIGSTOP of the node process: it keeps its sockets but answers nothing. */
  public void stopProcess() {
    signal("STOP");
  }

  public void continueProcess() {
    signal("CONT");
  }

  /** Freezes the whole container (cgroup freezer), like {@code docker pause}. */
  public void pauseContainer() {
    docker().pauseContainerCmd(container.getContainerId()).exec();
  }

  public void unpauseContainer() {
    docker().unpauseContainerCmd(container.getContainerId()).exec();
  }

  /** Runs iptables commands (from {@link Firewall}) in the container. */
  public void firewall(List<List<String>> commands) {
    commands.forEach(this::exec);
  }

  /** How many lines of the node's log (every run of it) contain {@code fixed}. */
  public int countInLog(String fixed) {
    String out =
        exec(List.of("/bin/sh", "-c", "grep -c -F -e " + quote(fixed) + " " + LOG_FILE), false)
            .getStdout()
            .strip();
    return out.isEmpty() ? 0 : Integer.parseInt(out);
  }

  /** The node's whole log. */
  public String log() {
    return exec(List.of("/bin/sh", "-c", "cat " + LOG_FILE + " 2>/dev/null"), false).getStdout();
  }

  /** Last lines of the node's log, for failure messages. */
  public String logTail(int lines) {
    return exec(
            List.of("/bin/sh", "-c", "tail -n " + lines + " " + LOG_FILE + " 2>/dev/null"), false)
        .getStdout();
  }

  @Override
  public void close() {
    container.stop();
  }

  ExecResult exec(List<String> command) {
    return exec(command, true);
  }

  private void execShell(String script) {
    exec(List.of("/bin/sh", "-c", script), true);
  }

  private void signal(String signal) {
    execShell("kill -" + signal + " $(cat /run/node.pid)");
  }

  private ExecResult exec(List<String> command, boolean check) {
    try {
      ExecResult result = container.execInContainer(command.toArray(String[]::new));
      if (check && result.getExitCode() != 0) {
        throw new IllegalStateException(
            id
                + ": "
                + command
                + " exited "
                + result.getExitCode()
                + ": "
                + result.getStderr().strip());
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(id + ": cannot exec " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(id + ": interrupted during " + command, e);
    }
  }

  private DockerClient docker() {
    return container.getDockerClient();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }

  static List<String> ids(List<ChaosNode> nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.id()));
    return out;
  }
}
