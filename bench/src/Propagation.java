import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Time from a registration's acknowledgement to the name answering in DNS on every node of a 3-node cluster.
 * Usage: Propagation DATA_DIR [ROUNDS]
 */
public final class Propagation {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    try (BenchCluster c = new BenchCluster(System.getenv().getOrDefault("BENCH_PREFIX", "127.0.0.8"), 3, Path.of(args[0]))) {
      c.startAll();
      int leader = c.awaitLeader(Duration.ofSeconds(90));
      for (int i = 0; i < 3; i++) {
        c.awaitReady(i, Duration.ofSeconds(60));
      }
      SimpleResolver[] dns = new SimpleResolver[3];
      for (int i = 0; i < 3; i++) {
        dns[i] = new SimpleResolver(c.ip(i));
        dns[i].setPort(53535);
        dns[i].setTimeout(Duration.ofMillis(500));
      }
      long[] perNode = new long[rounds * 3];
      long[] all = new long[rounds];
      for (int r = -20; r < rounds; r++) {
        String name = "p" + (r + 20);
        int status = BenchCluster.put(c.api(leader) + "/v1/services/prop/" + name, "{}");
        long acked = System.nanoTime();
        if (status != 201) {
          throw new IllegalStateException("PUT answered " + status);
        }
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name + ".prop.mesh.internal."), Type.A,
            DClass.IN));
        long worst = 0;
        for (int i = 0; i < 3; i++) {
          while (dns[i].send(q).getRcode() != Rcode.NOERROR) {
            Thread.onSpinWait();
          }
          long d = System.nanoTime() - acked;
          worst = Math.max(worst, d);
          if (r >= 0) {
            perNode[r * 3 + i] = d;
          }
        }
        if (r >= 0) {
          all[r] = worst;
        }
      }
      // BENCH_PROPAGATION_RAW=FILE appends each round's all-nodes time in microseconds (bench/propagation/ab.sh pools them)
      String raw = System.getenv("BENCH_PROPAGATION_RAW");
      if (raw != null) {
        StringBuilder lines = new StringBuilder();
        for (long d : all) {
          lines.append(d / 1000).append('\n');
        }
        java.nio.file.Files.writeString(Path.of(raw), lines, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
      Arrays.sort(perNode);
      Arrays.sort(all);
      System.out.printf("propagation rounds=%d per-node p50=%.2fms p99=%.2fms | all-nodes p50=%.2fms p99=%.2fms max=%.2fms%n",
          rounds, BenchCluster.pct(perNode, 0.5), BenchCluster.pct(perNode, 0.99), BenchCluster.pct(all, 0.5),
          BenchCluster.pct(all, 0.99), BenchCluster.pct(all, 1.0));
      System.out.printf("target: every node answers within p50 <= 3 ms: %.2f ms %s; p99 <= 10 ms: %.2f ms %s%n",
          BenchCluster.pct(all, 0.5), BenchCluster.pct(all, 0.5) <= 3 ? "MET" : "missed",
          BenchCluster.pct(all, 0.99), BenchCluster.pct(all, 0.99) <= 10 ? "MET" : "missed");
    }
    System.exit(0);
  }

  private Propagation() {}
}
