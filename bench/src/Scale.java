import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Loads a 3-node cluster to each size in SIZES (e.g. 100000,1000000) through POST /v1/batch and, at each size,
 * prints RSS and heap per node, bytes per service, RocksDB size, the time to restart a node to ready, the time
 * to fill a new member (snapshot install) and a DNS QPS figure. Usage: Scale DATA_DIR SIZES
 */
public final class Scale {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    List<Integer> sizes = new ArrayList<>();
    for (String s : args[1].split(",")) {
      sizes.add(Integer.parseInt(s));
    }
    try (BenchCluster c = new BenchCluster("127.0.0.10", 3, dir, "--snapshot-threshold", "200")) {
      c.startAll();
      c.awaitLeader(Duration.ofSeconds(120));
      for (int i = 0; i < 3; i++) {
        c.awaitReady(i, Duration.ofSeconds(60));
      }
      int loaded = 0;
      int joiners = 0;
      Result last = null;
      Path table = Path.of(System.getenv().getOrDefault("BENCH_RESULTS", "bench/results"), "scale-memory.tsv");
      Files.createDirectories(table.getParent());
      Files.writeString(table, "services\tRSS MiB (mean of 3 nodes)\tRSS MiB (worst node)\t"
          + "heap used MiB (mean of 3 nodes)\t1 KiB per service (target)\n");
      Path times = table.resolveSibling("scale-times.tsv");
      Files.writeString(times, "services\tfollower kill -9 to ready (s)\tnew member to ready (s)\n");
      memoryRow(c, dir, table, 0);
      for (int size : sizes) {
        long t0 = System.nanoTime();
        load(c, loaded, size);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%n== %d services (loaded %d more in %.0f s, %.0f/s)%n", size, size - loaded, loadSeconds,
            (size - loaded) / loadSeconds);
        loaded = size;
        long maxRss = memoryRow(c, dir, table, size);
        diagnostics(c, size);
        int leader = c.awaitLeader(Duration.ofSeconds(30));
        int follower = (leader + 1) % 3;
        c.kill9(follower);
        Path followerLog = dir.resolve(c.id(follower) + ".log");
        int logLines = Files.readAllLines(followerLog).size();
        long r0 = System.nanoTime();
        c.start(follower);
        c.awaitReady(follower, Duration.ofMinutes(10));
        double restart = (System.nanoTime() - r0) / 1e9;
        System.out.printf("restart of %s (kill -9) to ready: %.1f s%n", c.id(follower), restart);
        restartPhases(followerLog, logLines);
        long j0 = System.nanoTime();
        Process joiner = join(c, dir, ++joiners);
        try {
          awaitReadyAt("http://127.0.0.10" + (3 + joiners) + ":8053", Duration.ofMinutes(20));
          double joined = (System.nanoTime() - j0) / 1e9;
          System.out.printf("new member filled (snapshot install) to ready: %.1f s%n", joined);
          last = new Result(size, maxRss * 1024.0 / size, restart, joined);
          Files.writeString(times, String.format(Locale.ROOT, "%d\t%.1f\t%.1f%n", size, restart, joined),
              StandardOpenOption.APPEND);
          remove(c.api(leader), "j" + joiners);
        } finally {
          joiner.destroyForcibly();
        }
        System.out.printf("DNS: %s%n", dnsQps(c.ip(leader), size));
      }
      if (last != null) {
        last.printTargets();
      }
    }
    System.exit(0);
  }

  /** The figures the targets are about, at the largest size measured. */
  private record Result(int size, double rssPerService, double restartSeconds, double joinSeconds) {
    static final int TARGET_SIZE = 1_000_000;

    void printTargets() {
      System.out.printf("%n== targets (at %d services%s)%n", TARGET_SIZE,
          size == TARGET_SIZE ? "" : "; this run's largest size is " + size + ", so they do not apply yet");
      line("RSS per service, worst node", "<= 1024 B", String.format("%.0f B", rssPerService), rssPerService <= 1024);
      line("follower kill -9 to ready", "<= 10 s", String.format("%.1f s", restartSeconds), restartSeconds <= 10);
      line("new member to ready", "<= 30 s", String.format("%.1f s", joinSeconds), joinSeconds <= 30);
    }

    private void line(String what, String target, String figure, boolean met) {
      System.out.printf("%-30s %-10s %-10s %s%n", what, target, figure,
          size != TARGET_SIZE ? "(n/a)" : met ? "met" : "NOT MET");
    }
  }

  /**
   * With BENCH_HISTO=DIR, writes each node's heap layout ({@code GC.heap_info}), heap histogram ({@code jcmd GC.class_histogram}, live objects) and,
   * when the node runs with -XX:NativeMemoryTracking=summary, its native memory summary into DIR.
   */
  private static void diagnostics(BenchCluster c, int size) throws Exception {
    String out = System.getenv("BENCH_HISTO");
    if (out == null || out.isEmpty()) {
      return;
    }
    Path d = Path.of(out);
    Files.createDirectories(d);
    for (int i = 0; i < 3; i++) {
      String pid = Long.toString(c.nodes[i].pid());
      jcmd(d.resolve("heap-" + size + "-" + c.id(i) + ".txt"), pid, "GC.heap_info");
      jcmd(d.resolve("histo-" + size + "-" + c.id(i) + ".txt"), pid, "GC.class_histogram");
      jcmd(d.resolve("nmt-" + size + "-" + c.id(i) + ".txt"), pid, "VM.native_memory", "summary");
    }
    System.out.println("heap histograms: " + d + "/histo-" + size + "-*.txt");
  }

  private static void jcmd(Path to, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("jcmd"));
    cmd.addAll(List.of(args));
    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(to.toFile()).start().waitFor();
  }

  /** The restarted node's own account of where its start went: its log lines up to the first ready state. */
  private static void restartPhases(Path log, int from) throws IOException {
    List<String> lines = Files.readAllLines(log);
    boolean first = true;
    for (String l : lines.subList(Math.min(from, lines.size()), lines.size())) {
      if (first || l.contains("registry") || l.contains("checkpoint") || l.contains("started:")
          || l.contains("snapshot") || l.contains("leader is now")) {
        System.out.println("  " + (l.length() > 200 ? l.substring(0, 200) : l));
        first = false;
      }
    }
  }

  /** Prints each node's memory and disk at {@code size} services and appends the means to the chart table. */
  private static long memoryRow(BenchCluster c, Path dir, Path table, int size) throws IOException {
    long maxRss = 0;
    double rssSum = 0;
    double heapSum = 0;
    for (int i = 0; i < 3; i++) {
      long rss = rssKb(c.nodes[i].pid());
      double heap = heapUsed(c.api(i));
      long rocks = du(dir.resolve(c.id(i)).resolve("state"));
      long raft = du(dir.resolve(c.id(i)).resolve("raft"));
      rssSum += rss / 1024.0;
      maxRss = Math.max(maxRss, rss);
      heapSum += heap / 1048576;
      System.out.printf("%s: RSS %d MiB (%.0f B/service), heap used %.0f MiB (%.0f B/service), RocksDB %d MiB, "
          + "raft dir %d MiB%n", c.id(i), rss / 1024, size == 0 ? 0 : rss * 1024.0 / size, heap / 1048576,
          size == 0 ? 0 : heap / size, rocks >> 20, raft >> 20);
    }
    Files.writeString(table, String.format(Locale.ROOT, "%d\t%.0f\t%.0f\t%.0f\t%.0f%n", size, rssSum / 3,
        maxRss / 1024.0, heapSum / 3, size / 1024.0), StandardOpenOption.APPEND);
    return maxRss;
  }

  private static void load(BenchCluster c, int from, int to) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<?>> fs = new ArrayList<>();
    for (int start = from; start < to; start += 1000) {
      int s = start;
      int e = Math.min(to, start + 1000);
      fs.add(pool.submit(() -> {
        StringBuilder b = new StringBuilder("{\"operations\":[");
        for (int i = s; i < e; i++) {
          b.append(i == s ? "" : ",").append("{\"op\":\"put\",\"namespace\":\"ns").append(i % 100)
              .append("\",\"name\":\"svc-").append(i).append("\",\"service\":{\"ports\":[{\"name\":\"http\",")
              .append("\"protocol\":\"tcp\",\"port\":8080}]}}");
        }
        b.append("]}");
        for (int attempt = 0; ; attempt++) {
          try {
            HttpResponse<Void> r = BenchCluster.HTTP.send(HttpRequest.newBuilder(URI.create(c.api(attempt % 3)
                + "/v1/batch")).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                b.toString())).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) {
              return null;
            }
          } catch (IOException ex) {
            // retry on another node
          }
          if (attempt > 20) {
            throw new IllegalStateException("batch " + s + " failed");
          }
        }
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
  }

  private static Process join(BenchCluster c, Path dir, int n) throws Exception {
    String ip = "127.0.0.10" + (3 + n);
    Path d = dir.resolve("j" + n);
    Files.createDirectories(d);
    ProcessBuilder pb = new ProcessBuilder("bin/quorumdns", "node", "--id", "j" + n, "--data-dir", d.toString(),
        "--bind", ip, "--join").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("j" + n + ".log").toFile()));
    pb.environment().putIfAbsent("QUORUMDNS_JAVA_OPTS", "-Xmx1g -XX:+UseParallelGC");
    Process p = pb.start();
    awaitUp("http://" + ip + ":8053/healthz", Duration.ofSeconds(60));
    int leader = c.awaitLeader(Duration.ofSeconds(30));
    HttpResponse<String> r = BenchCluster.HTTP.send(HttpRequest.newBuilder(URI.create(c.api(leader)
        + "/v1/cluster/members")).timeout(Duration.ofMinutes(20)).POST(HttpRequest.BodyPublishers.ofString(
        "{\"id\":\"j" + n + "\",\"raft\":\"" + ip + ":9053\",\"role\":\"listener\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      // A retried add whose first attempt went through is refused as a conflict: the member is there all the same.
      String cluster = BenchCluster.get(c.api(leader) + "/v1/cluster");
      if (cluster == null || !cluster.contains("\"j" + n + "\"")) {
        throw new IllegalStateException("adding j" + n + ": " + r.body());
      }
      System.out.println("(adding j" + n + " answered " + r.statusCode() + ", but it is a member)");
    }
    return p;
  }

  private static void remove(String api, String id) throws Exception {
    BenchCluster.HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/cluster/members/" + id))
        .timeout(Duration.ofMinutes(2)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
  }

  private static void awaitUp(String url, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (BenchCluster.get(url) == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(url + " not up");
      }
      Thread.sleep(100);
    }
  }

  private static void awaitReadyAt(String api, Duration timeout) throws InterruptedException {
    awaitUp(api + "/readyz", timeout);
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static double heapUsed(String api) {
    String m = BenchCluster.get(api + "/metrics");
    double sum = 0;
    for (String line : m == null ? new String[0] : m.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static long du(Path p) throws IOException {
    if (!Files.exists(p)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** dnsperf for 10 s at 100 in flight against one node, over names that exist (90%) and do not (10%). */
  private static String dnsQps(String ip, int size) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/dnsperf"))) {
      return "dnsperf not installed";
    }
    Path q = Files.createTempFile("scale-queries", ".txt");
    java.util.Random r = new java.util.Random(size);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      int n = r.nextInt(size);
      b.append(i % 10 == 9 ? "missing-" + i + ".ns1" : "svc-" + n + ".ns" + (n % 100)).append(".mesh.internal A\n");
    }
    Files.writeString(q, b);
    Process p = new ProcessBuilder("dnsperf", "-s", ip, "-p", "53535", "-d", q.toString(), "-l", "10", "-q", "100")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    Files.deleteIfExists(q);
    String qps = out.lines().filter(l -> l.contains("Queries per second")).findFirst().orElse("?").trim();
    String lat = out.lines().filter(l -> l.contains("Average Latency")).findFirst().orElse("").trim();
    return qps + "; " + lat;
  }

  private Scale() {}
}
