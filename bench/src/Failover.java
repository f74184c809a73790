import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Kills the leader of a 3-node cluster with SIGKILL, ROUNDS times, under a steady write load (4 writers to
 * live nodes) and DNS load (every live node asked continuously). Prints the write-unavailability window
 * (kill to the acknowledgement of the first write sent after it) and DNS failures on live nodes. Usage: Failover DATA_DIR [ROUNDS]
 */
public final class Failover {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    try (BenchCluster c = new BenchCluster(System.getenv().getOrDefault("BENCH_PREFIX", "127.0.0.9"), 3, Path.of(args[0]))) {
      c.startAll();
      c.awaitLeader(Duration.ofSeconds(90));
      for (int i = 0; i < 3; i++) {
        c.awaitReady(i, Duration.ofSeconds(60));
      }
      int first = c.awaitLeader(Duration.ofSeconds(10));
      if (BenchCluster.put(c.api(first) + "/v1/services/fo/probe", "{}") / 100 != 2) {
        throw new IllegalStateException("cannot register the probe name");
      }
      boolean[] down = new boolean[3];
      AtomicBoolean running = new AtomicBoolean(true);
      ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>();
      AtomicLong seq = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        threads.add(daemon(() -> {
          while (running.get()) {
            int n = ThreadLocalRandom.current().nextInt(3);
            if (down[n]) {
              continue;
            }
            long sent = System.nanoTime();
            int s = BenchCluster.put(c.api(n) + "/v1/services/fo/w" + (seq.incrementAndGet() % 1000), "{}");
            if (s / 100 == 2) {
              acks.add(new long[] {sent, System.nanoTime()});
            }
          }
        }));
      }
      AtomicLong dnsOk = new AtomicLong();
      AtomicLong dnsFailed = new AtomicLong();
      for (int i = 0; i < 3; i++) {
        int node = i;
        threads.add(daemon(() -> {
          try {
            SimpleResolver r = new SimpleResolver(c.ip(node));
            r.setPort(53535);
            r.setTimeout(Duration.ofMillis(1000));
            Message q = Message.newQuery(Record.newRecord(Name.fromString("probe.fo.mesh.internal."), Type.A, DClass.IN));
            while (running.get()) {
              if (down[node]) {
                Thread.sleep(5);
                continue;
              }
              boolean ok;
              try {
                ok = r.send(q).getRcode() == Rcode.NOERROR;
              } catch (java.io.IOException e) {
                ok = false;
              }
              if (down[node]) {
                continue; // killed while asking: not a live node's failure
              }
              (ok ? dnsOk : dnsFailed).incrementAndGet();
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      long[] windows = new long[rounds];
      for (int round = 0; round < rounds; round++) {
        int leader = c.awaitLeader(Duration.ofSeconds(30));
        Thread.sleep(1500);
        down[leader] = true;
        long killed = System.nanoTime();
        c.kill9(leader);
        long firstAck;
        while (true) {
          long[] t = acks.poll();
          if (t == null) {
            Thread.sleep(1);
          } else if (t[0] > killed) {
            firstAck = t[1]; // the first write sent after the kill that was acknowledged
            break;
          }
        }
        windows[round] = firstAck - killed;
        System.out.printf("round %2d: killed %s, writes back after %.0f ms%n", round + 1, c.id(leader),
            windows[round] / 1e6);
        c.start(leader);
        c.awaitReady(leader, Duration.ofSeconds(60));
        down[leader] = false;
        acks.clear();
      }
      running.set(false);
      java.util.Arrays.sort(windows);
      System.out.printf("failover rounds=%d write-unavailability p50=%.0fms p99=%.0fms max=%.0fms | DNS on live nodes: %d ok, %d failed%n",
          rounds, BenchCluster.pct(windows, 0.5), BenchCluster.pct(windows, 0.99), BenchCluster.pct(windows, 1.0),
          dnsOk.get(), dnsFailed.get());
      double p99 = BenchCluster.pct(windows, 0.99);
      System.out.printf("target: write unavailability p99 <= 1000 ms: %.0f ms %s; 0 failed DNS queries on live nodes: %d %s%n",
          p99, p99 <= 1000 ? "MET" : "missed", dnsFailed.get(), dnsFailed.get() == 0 ? "MET" : "missed");
    }
    System.exit(0);
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private Failover() {}
}
