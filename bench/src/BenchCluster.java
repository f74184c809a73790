import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Node processes for the benchmarks: start, kill -9, restart, find the leader. Nodes run {@code bin/quorumdns}, or
 * the launcher named by {@code BENCH_QUORUMDNS} (a build snapshot from bench/snapshot-build.sh). Not thread-safe.
 */
final class BenchCluster implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** The leader's id in a node's {@code /v1/cluster} answer. */
  static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"([^\"]+)\"");

  final String prefix;
  final int size;
  final Path dir;
  final String[] extra;
  final Process[] nodes;

  BenchCluster(String prefix, int size, Path dir, String... extra) {
    this.prefix = prefix;
    this.size = size;
    this.dir = dir;
    this.extra = extra;
    this.nodes = new Process[size];
  }

  String ip(int i) {
    return prefix + (i + 1);
  }

  String id(int i) {
    return "b" + (i + 1);
  }

  String api(int i) {
    return "http://" + ip(i) + ":8053";
  }

  void startAll() throws IOException {
    for (int i = 0; i < size; i++) {
      start(i);
    }
  }

  void start(int i) throws IOException {
    List<String> peers = new ArrayList<>();
    for (int j = 0; j < size; j++) {
      peers.add(id(j) + "=" + ip(j) + ":9053");
    }
    Files.createDirectories(dir.resolve(id(i)));
    String launcher = System.getenv().getOrDefault("BENCH_QUORUMDNS", "bin/quorumdns");
    List<String> cmd = new ArrayList<>(List.of(launcher, "node", "--id", id(i), "--data-dir",
        dir.resolve(id(i)).toString(), "--bind", ip(i), "--peers", String.join(",", peers)));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id(i) + ".log").toFile()));
    pb.environment().putIfAbsent("QUORUMDNS_JAVA_OPTS", "-Xmx1g -XX:+UseParallelGC");
    nodes[i] = pb.start();
  }

  /** SIGKILL to the node's JVM (bin/quorumdns execs java, so the process is the JVM). */
  void kill9(int i) throws InterruptedException {
    nodes[i].destroyForcibly();
    nodes[i].waitFor(30, TimeUnit.SECONDS);
  }

  static String get(String url) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static int put(String url, String body) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Index of the leader every live node agrees on, waiting up to {@code timeout}. */
  int awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String agreed = null;
      boolean ok = true;
      for (int i = 0; i < size && ok; i++) {
        if (nodes[i] == null || !nodes[i].isAlive()) {
          continue;
        }
        String body = get(api(i) + "/v1/cluster");
        Matcher m = body == null ? null : LEADER.matcher(body);
        if (m == null || !m.find() || (agreed != null && !agreed.equals(m.group(1)))) {
          ok = false;
        } else {
          agreed = m.group(1);
        }
      }
      if (ok && agreed != null) {
        for (int i = 0; i < size; i++) {
          if (id(i).equals(agreed) && nodes[i].isAlive()) {
            return i;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no leader within " + timeout);
  }

  void awaitReady(int i, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (get(api(i) + "/readyz") != null) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(id(i) + " not ready within " + timeout);
  }

  static double pct(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  @Override
  public void close() {
    for (Process p : nodes) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }
}
