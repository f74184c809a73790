import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where one write's time goes, stage by stage, in microseconds: a 3-node cluster (Ratis' own timers switched on
 * with -Dquorumdns.ratis.metrics=true), one client writing one PUT after another to the leader (or, with
 * {@code follower}, to a follower that carries it to the leader). Measured twice: right after start (cold JIT) and
 * after a warm-up. Each node's counters are read from /metrics before and after a phase; node timers give the
 * mean of the phase (sum and count deltas), Ratis' timers their own decaying p50.
 *
 * <p>Usage: {@code Stages DATA_DIR [WRITES_PER_PHASE (1000)] [WARMUP_WRITES (5000)] [leader|follower]}
 */
public final class Stages {
  private static final Pattern LINE = Pattern.compile("^([a-z_]+)(?:\\{([^}]*)\\})? ([-+0-9.eENa]+)$");

  public static void main(String[] args) throws Exception {
    int writes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
    boolean viaFollower = args.length > 3 && args[3].equals("follower");
    try (BenchCluster c = new BenchCluster("127.0.0.6", 3, Path.of(args[0]))) {
      c.startAll();
      int leader = c.awaitLeader(Duration.ofSeconds(90));
      for (int i = 0; i < 3; i++) {
        c.awaitReady(i, Duration.ofSeconds(60));
      }
      leader = c.awaitLeader(Duration.ofSeconds(10));
      int target = viaFollower ? (leader + 1) % 3 : leader;
      System.out.printf("leader %s, writes sent to %s (%s)%n", c.id(leader), c.id(target),
          viaFollower ? "a follower" : "the leader");
      phase(c, leader, target, "cold", writes);
      long t0 = System.nanoTime();
      run(c, target, warmup, 0);
      System.out.printf("warm-up: %d writes in %.1f s%n", warmup, (System.nanoTime() - t0) / 1e9);
      phase(c, leader, target, "warm", writes);
    }
    System.exit(0);
  }

  private static void phase(BenchCluster c, int leader, int target, String name, int writes) throws Exception {
    List<Map<String, Double>> before = scrapeAll(c);
    long[] lat = run(c, target, writes, name.hashCode() & 0xffff);
    List<Map<String, Double>> after = scrapeAll(c);
    Arrays.sort(lat);
    System.out.printf("%n== %s: %d sequential PUTs, client-side p50 %.0f us, p90 %.0f us, p99 %.0f us, mean %.0f us%n",
        name, writes, BenchCluster.pct(lat, 0.5) * 1000, BenchCluster.pct(lat, 0.9) * 1000,
        BenchCluster.pct(lat, 0.99) * 1000, Arrays.stream(lat).average().orElse(0) / 1000);
    int[] order = {leader, (leader + 1) % 3, (leader + 2) % 3};
    System.out.printf("%-58s %12s %12s %12s%n", "stage (mean us of the phase; ratis: p50 us)",
        c.id(order[0]) + "(L)" + (target == order[0] ? "*" : ""), c.id(order[1]) + (target == order[1] ? "*" : ""),
        c.id(order[2]) + (target == order[2] ? "*" : ""));
    Map<String, String> nodeTimers = new LinkedHashMap<>();
    nodeTimers.put("HTTP request, in the node (route=service PUT)",
        "quorumdns_api_requests_seconds|method=\"PUT\",route=\"service\"");
    nodeTimers.put("  submit -> outcome (Node.submit)", "quorumdns_write_latency_seconds|result=\"applied\"");
    nodeTimers.put("    group-commit queue", "quorumdns_write_stage_seconds|stage=\"queue\"");
    nodeTimers.put("    Ratis round trip (send -> reply)", "quorumdns_write_stage_seconds|stage=\"raft\"");
    nodeTimers.put("      leader: startTransaction", "quorumdns_write_stage_seconds|stage=\"leader_start\"");
    nodeTimers.put("      leader: entry created -> apply starts", "quorumdns_write_stage_seconds|stage=\"leader_commit\"");
    nodeTimers.put("      apply (decode, registry, encode reply)", "quorumdns_write_stage_seconds|stage=\"apply\"");
    nodeTimers.put("        registry.apply (RocksDB batch, read model)", "quorumdns_registry_apply_seconds|");
    for (var e : nodeTimers.entrySet()) {
      StringBuilder row = new StringBuilder(String.format("%-58s", e.getKey()));
      String[] k = e.getValue().split("\\|", 2);
      for (int n : order) {
        row.append(String.format(" %12s", meanMicros(before.get(n), after.get(n), k[0], k[1])));
      }
      System.out.println(row);
    }
    String[] ratis = {"server.clientWriteRequest", "log_worker.appendEntryLatency", "log_worker.enqueuedTime",
        "log_worker.writelogExecutionTime", "log_worker.flushTime", "log_worker.syncTime",
        "server.follower_append_entry_latency", "log_appender.appendEntries_latency", "state_machine.applyTransaction"};
    for (String m : ratis) {
      StringBuilder row = new StringBuilder(String.format("%-58s", "ratis " + m));
      boolean any = false;
      for (int n : order) {
        String v = ratisP50(after.get(n), m, c.id(n));
        any |= !v.equals("-");
        row.append(String.format(" %12s", v));
      }
      if (any) {
        System.out.println(row);
      }
    }
    StringBuilder counts = new StringBuilder(String.format("%-58s", "ratis log_worker flushes per write"));
    for (int n : order) {
      counts.append(String.format(" %12s", perWrite(before.get(n), after.get(n), "log_worker.flushTime", c.id(n),
          writes)));
    }
    System.out.println(counts);
  }

  private static long[] run(BenchCluster c, int target, int writes, int salt) {
    long[] lat = new long[writes];
    for (int i = 0; i < writes; i++) {
      String body = "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":" + (1 + (i + salt) % 60000) + "}]}";
      long t0 = System.nanoTime();
      int s = BenchCluster.put(c.api(target) + "/v1/services/stages/s" + (i % 500), body);
      lat[i] = System.nanoTime() - t0;
      if (s / 100 != 2) {
        throw new IllegalStateException("PUT answered " + s);
      }
    }
    return lat;
  }

  private static List<Map<String, Double>> scrapeAll(BenchCluster c) {
    List<Map<String, Double>> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      out.add(scrape(c.api(i) + "/metrics"));
    }
    return out;
  }

  static Map<String, Double> scrape(String url) {
    Map<String, Double> m = new LinkedHashMap<>();
    String body = BenchCluster.get(url);
    if (body == null) {
      return m;
    }
    for (String line : body.split("\n")) {
      Matcher x = LINE.matcher(line);
      if (x.matches()) {
        try {
          m.put(x.group(1) + "{" + (x.group(2) == null ? "" : x.group(2)) + "}", Double.parseDouble(x.group(3)));
        } catch (NumberFormatException e) {
          // NaN and friends: leave out
        }
      }
    }
    return m;
  }

  /** Mean of a Micrometer timer over the phase, in microseconds, from its _sum and _count deltas. */
  private static String meanMicros(Map<String, Double> before, Map<String, Double> after, String name,
                                   String tagsContain) {
    double sum = delta(before, after, name + "_sum", tagsContain);
    double count = delta(before, after, name + "_count", tagsContain);
    return count < 1 ? "-" : String.format("%.0f", sum / count * 1e6);
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String tags) {
    double d = 0;
    for (var e : after.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(name + "{") && matchesTags(k, tags)) {
        d += e.getValue() - before.getOrDefault(k, 0.0);
      }
    }
    return d;
  }

  private static boolean matchesTags(String key, String tags) {
    if (tags.isEmpty()) {
      return true;
    }
    for (String t : tags.split(",")) {
      if (!key.contains(t)) {
        return false;
      }
    }
    return true;
  }

  private static String ratisP50(Map<String, Double> after, String metric, String member) {
    for (var e : after.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("quorumdns_ratis_timer_seconds{") && k.contains("metric=\"" + metric + "\"")
          && k.contains("member=\"" + member + "\"") && k.contains("quantile=\"0.5\"")) {
        return String.format("%.0f", e.getValue() * 1e6);
      }
    }
    return "-";
  }

  private static String perWrite(Map<String, Double> before, Map<String, Double> after, String metric, String member,
                                 int writes) {
    for (var e : after.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("quorumdns_ratis_timer_count{") && k.contains("metric=\"" + metric + "\"")
          && k.contains("member=\"" + member + "\"")) {
        return String.format("%.2f", (e.getValue() - before.getOrDefault(k, 0.0)) / writes);
      }
    }
    return "-";
  }

  private Stages() {}
}
