package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumdns dev}: a local cluster of separate node processes on 127.0.0.11, .12, .13 (same
 * ports on each), demo services registered, and the {@code dig} and forwarder lines printed. Stops
 * the nodes on Ctrl-C.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Run a local cluster of node processes on 127.0.0.11, .12, ... (same ports on each), register "
            + "demo services and print what to try. Ctrl-C stops it.")
public final class DevCluster implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEMO_NS = "demo";
  private static final int DNS_PORT = 53535;
  private static final int API_PORT = 8053;
  private static final int RAFT_PORT = 9053;
  private static final String DOMAIN = "mesh.internal";

  /** Set by {@code bin/quorumdns}: the classpath of the node process ({@code quorumdns node}). */
  static final String SERVER_CLASSPATH = "quorumdns.server.classpath";

  static final String SERVER_MAIN = "dev.quorumdns.server.ServerMain";

  private final PrintWriter out;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "3",
      description = "how many nodes, 1..9 " + "(default: ${DEFAULT-VALUE})")
  int n;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = "run/dev",
      description = "where the nodes keep their " + "data and logs (default: ${DEFAULT-VALUE})")
  Path dir;

  @Option(names = "--fresh", description = "delete DIR first: start with an empty registry")
  boolean fresh;

  DevCluster(Context ctx) {
    this.out = ctx.out();
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (n < 1 || n > 9) {
      throw new UsageException("nodes", n + " (expected: 1..9)");
    }
    String serverClasspath = serverClasspath();
    Path dir = this.dir.toAbsolutePath();
    if (fresh) {
      deleteTree(dir);
    }
    Files.createDirectories(dir);
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      peers.add("n" + i + "=" + ip(i) + ":" + RAFT_PORT);
    }
    List<Process> nodes = new ArrayList<>();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  stopAll(nodes);
                },
                "dev-shutdown"));
    for (int i = 1; i <= n; i++) {
      nodes.add(startNode(serverClasspath, i, dir, String.join(",", peers)));
    }
    out.println("started " + n + " nodes; logs in " + dir + "/n*/node.log");
    ApiClient api = new ApiClient(ip(1) + ":" + API_PORT, null);
    String leader = awaitLeader(api, nodes, Duration.ofSeconds(60));
    out.println("leader elected: " + leader);
    registerDemo(api);
    printTour(n);
    stop.await();
    return 0;
  }

  private static String serverClasspath() {
    String cp = System.getProperty(SERVER_CLASSPATH);
    if (cp == null || cp.isBlank()) {
      throw new UsageException(
          "dev", "does not know where the node's classpath is; run it as bin/quorumdns dev");
    }
    return cp;
  }

  /** Deletes {@code dir} and everything below it, if it exists. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static String ip(int i) {
    return "127.0.0." + (10 + i);
  }

  private static Process startNode(String serverClasspath, int i, Path dir, String peers)
      throws IOException {
    Path nodeDir = dir.resolve("n" + i);
    Files.createDirectories(nodeDir);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC"));
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.addAll(
        List.of(
            "-cp",
            serverClasspath,
            SERVER_MAIN,
            "node",
            "--id",
            "n" + i,
            "--data-dir",
            nodeDir.toString(),
            "--bind",
            ip(i),
            "--peers",
            peers));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("node.log").toFile()))
        .start();
  }

  private static String awaitLeader(ApiClient api, List<Process> nodes, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (Process p : nodes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "a node exited with code " + p.exitValue() + "; see its node.log");
        }
      }
      try {
        ApiClient.Reply r = api.call("GET", "/v1/cluster", null);
        JsonNode leader = JSON.readTree(r.body()).path("leader");
        if (r.ok() && leader.isTextual()) {
          return leader.asText();
        }
        last = r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no leader within " + timeout + ": " + last);
  }

  private void registerDemo(ApiClient api) throws IOException, InterruptedException {
    String[][] demo = {
      {
        "web",
        "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}],"
            + "\"endpoints\":[{\"address\":\"10.0.1.10\",\"port\":8080},{\"address\":\"10.0.1.11\",\"port\":8080}],"
            + "\"labels\":{\"team\":\"web\"}}"
      },
      {
        "api",
        "{\"ports\":[{\"name\":\"grpc\",\"protocol\":\"tcp\",\"port\":9090},"
            + "{\"name\":\"metrics\",\"protocol\":\"tcp\",\"port\":9100}],"
            + "\"endpoints\":[{\"address\":\"10.0.2.20\"}]}"
      },
      {"dns-cache", "{\"ports\":[{\"name\":\"dns\",\"protocol\":\"udp\",\"port\":53}]}"},
    };
    for (String[] d : demo) {
      ApiClient.Reply r =
          retry(() -> api.call("PUT", "/v1/services/" + DEMO_NS + "/" + d[0], d[1]));
      JsonNode s = JSON.readTree(r.body());
      out.printf(
          "registered %-28s vip4 %-15s vip6 %s%n",
          s.path("fqdn").asText(), s.path("vip4").asText(), s.path("vip6").asText());
    }
  }

  private static ApiClient.Reply retry(IoCall call) throws IOException, InterruptedException {
    ApiClient.Reply r = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      r = call.run();
      if (r.ok()) {
        return r;
      }
      if (r.status() != 503 && r.status() != 504) {
        break;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "demo registration failed: " + (r == null ? "no reply" : r.body()));
  }

  @FunctionalInterface
  private interface IoCall {
    ApiClient.Reply run() throws IOException, InterruptedException;
  }

  private void printTour(int n) {
    String domain = DOMAIN;
    int dns = DNS_PORT;
    out.println();
    out.println("Try it:");
    for (int i = 1; i <= n; i++) {
      out.printf("  dig @%s -p %d web.%s.%s +short%n", ip(i), dns, DEMO_NS, domain);
    }
    out.printf("  dig @%s -p %d _http._tcp.web.%s.%s SRV%n", ip(1), dns, DEMO_NS, domain);
    out.printf("  dig @%s -p %d web.%s.%s AAAA +short%n", ip(2), dns, DEMO_NS, domain);
    out.printf("  curl -s http://%s:%d/v1/services%n", ip(1), API_PORT);
    out.printf("  curl -s http://%s:%d/v1/cluster%n", ip(2), API_PORT);
    out.printf(
        "  bin/quorumdns register demo/cache --port redis:tcp:6379 --server %s:%d%n",
        ip(3), API_PORT);
    out.println();
    out.println("Forward the zone from your resolver:");
    StringBuilder servers = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      servers.append(ip(i)).append(" port ").append(dns).append("; ");
    }
    out.printf(
        "  BIND:    zone \"%s\" { type forward; forward only; forwarders { %s}; };%n",
        domain, servers);
    out.printf("  dnsmasq: server=/%s/%s#%d%n", domain, ip(1), dns);
    out.printf("  Unbound: forward-zone: name: \"%s\"  forward-addr: %s@%d%n", domain, ip(1), dns);
    out.printf("  CoreDNS: %s { forward . %s:%d %s:%d }%n", domain, ip(1), dns, ip(n), dns);
    out.println();
    out.println("Ctrl-C stops the cluster; its data stays in run/dev (use --fresh to start over).");
  }

  private static void stopAll(List<Process> nodes) {
    nodes.forEach(Process::destroy);
    for (Process p : nodes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
