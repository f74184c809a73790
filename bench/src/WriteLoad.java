import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop write load over HTTP: N clients, each sending one write after another to the targets in turn,
 * for a fixed time. Prints one line: ops/s and latency percentiles of successful writes.
 *
 * <pre>
 * java bench/src/WriteLoad.java quorumdns|etcd CLIENTS SECONDS URL[,URL...] [NAMES]
 * </pre>
 * quorumdns: registers and then updates services (PUT /v1/services/bench/w-N with a changing port);
 * etcd: puts keys through the v3 JSON gateway (POST /v3/kv/put). Both write NAMES distinct keys (default
 * 10000) round-robin, so most writes after the first pass are updates, as in a running registry.
 * quorumdns-get / quorumdns-get-stale: reads those services instead (GET /v1/services/bench/w-N, linearizable,
 * or with ?stale from the node's replica); write them first with the same NAMES.
 */
public final class WriteLoad {
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: WriteLoad quorumdns|etcd|quorumdns-get|quorumdns-get-stale CLIENTS SECONDS URL[,URL...] [NAMES]");
      System.exit(2);
    }
    String mode = args[0];
    int clients = Integer.parseInt(args[1]);
    long seconds = Long.parseLong(args[2]);
    String[] targets = args[3].split(",");
    int names = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .executor(java.util.concurrent.Executors.newFixedThreadPool(4)).build();
    AtomicLong seq = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long[][] latencies = new long[clients][];
    int[] counts = new int[clients];
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(clients);
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      int id = c;
      latencies[c] = new long[1024];
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            long n = seq.getAndIncrement();
            String target = targets[(int) (n % targets.length)];
            HttpRequest req = request(mode, target, n % names, n);
            long t0 = System.nanoTime();
            try {
              HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
              if (r.statusCode() / 100 == 2) {
                if (counts[id] == latencies[id].length) {
                  latencies[id] = Arrays.copyOf(latencies[id], latencies[id].length * 2);
                }
                latencies[id][counts[id]++] = System.nanoTime() - t0;
              } else {
                errors.incrementAndGet();
              }
            } catch (Exception e) {
              errors.incrementAndGet();
            }
          }
        } finally {
          done.countDown();
        }
      }, "client-" + c);
      t.setDaemon(true);
      t.start();
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    System.out.printf("%s clients=%d ok=%d errors=%d ops/s=%.0f p50=%.2fms p99=%.2fms p999=%.2fms%n", mode, clients,
        total, errors.get(), total / elapsed, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999));
    System.exit(0);
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
  }

  private static HttpRequest request(String mode, String target, long key, long n) {
    if (mode.startsWith("quorumdns-get")) {
      String stale = mode.endsWith("-stale") ? "?stale" : "";
      return HttpRequest.newBuilder(URI.create(target + "/v1/services/bench/w-" + key + stale))
          .timeout(Duration.ofSeconds(30)).GET().build();
    }
    if (mode.equals("etcd")) {
      Base64.Encoder b64 = Base64.getEncoder();
      String body = "{\"key\":\"" + b64.encodeToString(("bench/w-" + key).getBytes(StandardCharsets.UTF_8))
          + "\",\"value\":\"" + b64.encodeToString(("{\"port\":" + (1 + n % 60000) + "}")
          .getBytes(StandardCharsets.UTF_8)) + "\"}";
      return HttpRequest.newBuilder(URI.create(target + "/v3/kv/put")).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
    String body = "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":" + (1 + n % 60000) + "}]}";
    return HttpRequest.newBuilder(URI.create(target + "/v1/services/bench/w-" + key)).timeout(Duration.ofSeconds(30))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private WriteLoad() {}
}
