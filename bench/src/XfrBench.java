import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A zone transfer of N names: one node (127.0.0.71) loaded with N services (each one A, one AAAA and one SRV
 * record), then an AXFR of mesh.internal by kdig, signed with a TSIG key, ROUNDS times; for each, the seconds, the
 * records and bytes received, and the node's peak RSS during the transfer over its RSS before (VmHWM, reset with
 * /proc/PID/clear_refs before each round). Then named-compilezone reading the same zone from the file kdig wrote,
 * its seconds and peak RSS (/usr/bin/time). Usage: XfrBench DATA_DIR KEY_FILE N ROUNDS
 */
public final class XfrBench {
  private static final String IP = "127.0.0.71";

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path keyFile = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    String key = Files.readString(keyFile);
    String secret = key.replaceAll("(?s).*secret \"([^\"]+)\".*", "$1").trim();
    try (BenchCluster c = new BenchCluster("127.0.0.7", 1, dir, "--tsig-key-file", keyFile.toString(),
        "--transfer-allow", "127.0.0.0/8")) {
      c.startAll();
      Files.writeString(dir.resolve("node.pid"), Long.toString(c.nodes[0].pid()));
      c.awaitLeader(Duration.ofSeconds(120));
      c.awaitReady(0, Duration.ofSeconds(60));
      long t0 = System.nanoTime();
      load(c, n);
      System.out.printf(Locale.ROOT, "loaded %d services in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
      long pid = c.nodes[0].pid();
      Path zone = dir.resolve("zone.txt");
      for (int round = 1; round <= rounds; round++) {
        long before = status(pid, "VmRSS");
        Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        long s0 = System.nanoTime();
        Process kdig = new ProcessBuilder("kdig", "@" + IP, "-p", "53535", "-y", "hmac-sha256:quorumdns-xfr:" + secret,
            "mesh.internal.", "AXFR", "+noall", "+answer", "+stats").redirectOutput(zone.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (kdig.waitFor() != 0) {
          throw new IllegalStateException("kdig failed: exit " + kdig.exitValue());
        }
        double seconds = (System.nanoTime() - s0) / 1e9;
        long peak = status(pid, "VmHWM");
        Stats st = stats(zone);
        System.out.printf(Locale.ROOT, "AXFR round %d: %.2f s, %d records (%.0f/s), %.1f MiB in %d messages; "
            + "node RSS before %d MiB, peak during %d MiB (+%d MiB)%n", round, seconds, st.records,
            st.records / seconds, st.bytes / 1048576.0, st.messages, before >> 10, Math.max(peak, before) >> 10,
            Math.max(0, peak - before) >> 10);
      }
      // The zone as a master file for named-compilezone: the records only, the closing SOA dropped.
      List<String> lines = new ArrayList<>();
      for (String l : Files.readAllLines(zone, StandardCharsets.UTF_8)) {
        if (!l.isBlank() && !l.startsWith(";")) {
          lines.add(l);
        }
      }
      lines.remove(lines.size() - 1);
      Path master = dir.resolve("mesh.internal.zone");
      Files.write(master, lines, StandardCharsets.UTF_8);
      Process compile = new ProcessBuilder("/usr/bin/time", "-f", "%e %M", "named-compilezone", "-o", "/dev/null",
          "mesh.internal", master.toString()).redirectErrorStream(true).start();
      String out = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      compile.waitFor();
      String[] last = out.substring(out.lastIndexOf('\n') + 1).split(" ");
      System.out.printf(Locale.ROOT, "named-compilezone of the same zone (%d records, %.1f MiB of text): %s s, peak "
          + "RSS %d MiB%n", lines.size(), Files.size(master) / 1048576.0, last[0], Long.parseLong(last[1]) >> 10);
      if (compile.exitValue() != 0) {
        System.out.println(out);
      }
    }
    System.exit(0);
  }

  private record Stats(long records, long bytes, long messages) {}

  /** Records in kdig's answer section, and its "Received N B (M messages, R records)" line. */
  private static Stats stats(Path zone) throws IOException {
    long records = 0;
    long bytes = 0;
    long messages = 0;
    for (String l : Files.readAllLines(zone, StandardCharsets.UTF_8)) {
      if (l.startsWith(";; Received")) {
        String[] w = l.replace("(", "").replace(",", "").split("\\s+");
        bytes = Long.parseLong(w[2]);
        messages = Long.parseLong(w[4]);
      } else if (!l.isBlank() && !l.startsWith(";")) {
        records++;
      }
    }
    return new Stats(records, bytes, messages);
  }

  /** A /proc/PID/status field in kB. */
  private static long status(long pid, String field) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith(field + ":")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
  }

  private static void load(BenchCluster c, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> fs = new ArrayList<>();
    for (int start = 0; start < n; start += 1000) {
      int s = start;
      int e = Math.min(n, start + 1000);
      fs.add(pool.submit(() -> {
        StringBuilder b = new StringBuilder("{\"operations\":[");
        for (int i = s; i < e; i++) {
          b.append(i == s ? "" : ",").append("{\"op\":\"put\",\"namespace\":\"ns").append(i % 100)
              .append("\",\"name\":\"svc-").append(i).append("\",\"service\":{\"ports\":[{\"name\":\"http\",")
              .append("\"protocol\":\"tcp\",\"port\":8080}]}}");
        }
        b.append("]}");
        for (int attempt = 0; attempt < 20; attempt++) {
          try {
            HttpResponse<Void> r = BenchCluster.HTTP.send(HttpRequest.newBuilder(URI.create(c.api(0) + "/v1/batch"))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(b.toString())).build(),
                HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) {
              return null;
            }
          } catch (IOException ex) {
            // again
          }
        }
        throw new IllegalStateException("batch " + s + " failed");
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
  }
}
