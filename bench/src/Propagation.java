import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Time from a registration's acknowledgement to the name answering in DNS on every node of a running 3-node
 * cluster (bench/propagation/run.sh starts and warms it up). The nodes are given by their API URLs; each answers DNS
 * on port 53535 of the same address, and node ids end in their position (q1..q3, as bench/lib.sh starts them).
 * Usage: Propagation ROUNDS API_URL,API_URL,API_URL
 */
public final class Propagation {
  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    String[] apis = args[1].split(",");
    String cluster = BenchCluster.get(apis[0] + "/v1/cluster");
    Matcher m = cluster == null ? null : BenchCluster.LEADER.matcher(cluster);
    if (m == null || !m.find()) {
      throw new IllegalStateException("no leader named by " + apis[0] + "/v1/cluster: " + cluster);
    }
    int leader = Integer.parseInt(m.group(1).replaceAll("\\D+", "")) - 1;
    SimpleResolver[] dns = new SimpleResolver[3];
    for (int i = 0; i < 3; i++) {
      dns[i] = new SimpleResolver(URI.create(apis[i]).getHost());
      dns[i].setPort(53535);
      dns[i].setTimeout(Duration.ofMillis(500));
    }
    // BENCH_PROBE_PAUSE_MICROS: how long the probe waits between queries that do not answer yet (0, the default,
    // asks again at once and keeps a core busy beside the nodes); a list ("0,200") alternates its values round by
    // round on the same cluster and reports each, so the probe's own cost can be told apart.
    long[] pauses = Arrays.stream(System.getenv().getOrDefault("BENCH_PROBE_PAUSE_MICROS", "0").split(","))
        .mapToLong(Long::parseLong).toArray();
    int per = (rounds + pauses.length - 1) / pauses.length;
    long[][] perNode = new long[pauses.length][per * 3];
    long[][] all = new long[pauses.length][per];
    int[] done = new int[pauses.length];
    for (int r = -20; r < rounds; r++) {
      int mode = Math.floorMod(r, pauses.length);
      long pauseNanos = pauses[mode] * 1000;
      String name = "p" + (r + 20);
      int status = BenchCluster.put(apis[leader] + "/v1/services/prop/" + name, "{}");
      long acked = System.nanoTime();
      if (status != 201) {
        throw new IllegalStateException("PUT answered " + status);
      }
      Message q = Message.newQuery(Record.newRecord(Name.fromString(name + ".prop.mesh.internal."), Type.A,
          DClass.IN));
      long worst = 0;
      long[] nodes = new long[3];
      for (int i = 0; i < 3; i++) {
        while (dns[i].send(q).getRcode() != Rcode.NOERROR) {
          if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos);
          } else {
            Thread.onSpinWait();
          }
        }
        nodes[i] = System.nanoTime() - acked;
        worst = Math.max(worst, nodes[i]);
      }
      if (r >= 0) {
        System.arraycopy(nodes, 0, perNode[mode], done[mode] * 3, 3);
        all[mode][done[mode]++] = worst;
      }
    }
    // BENCH_PROPAGATION_RAW=FILE appends each round's all-nodes time in microseconds (bench/propagation/ab.sh pools them)
    String raw = System.getenv("BENCH_PROPAGATION_RAW");
    if (raw != null) {
      StringBuilder lines = new StringBuilder();
      for (int k = 0; k < pauses.length; k++) {
        for (int i = 0; i < done[k]; i++) {
          lines.append(all[k][i] / 1000).append('\n');
        }
      }
      java.nio.file.Files.writeString(Path.of(raw), lines, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
    for (int k = 0; k < pauses.length; k++) {
      long[] n = Arrays.copyOf(perNode[k], done[k] * 3);
      long[] w = Arrays.copyOf(all[k], done[k]);
      Arrays.sort(n);
      Arrays.sort(w);
      String probe = pauses.length == 1 && pauses[0] == 0 ? "" : " probe-pause=" + pauses[k] + "us";
      System.out.printf("propagation rounds=%d%s per-node p50=%.2fms p99=%.2fms | all-nodes p50=%.2fms p99=%.2fms max=%.2fms%n",
          done[k], probe, BenchCluster.pct(n, 0.5), BenchCluster.pct(n, 0.99), BenchCluster.pct(w, 0.5),
          BenchCluster.pct(w, 0.99), BenchCluster.pct(w, 1.0));
      System.out.printf("target: every node answers within p50 <= 3 ms: %.2f ms %s; p99 <= 10 ms: %.2f ms %s%n",
          BenchCluster.pct(w, 0.5), BenchCluster.pct(w, 0.5) <= 3 ? "MET" : "missed",
          BenchCluster.pct(w, 0.99), BenchCluster.pct(w, 0.99) <= 10 ? "MET" : "missed");
    }
    System.exit(0);
  }

  private Propagation() {}
}
