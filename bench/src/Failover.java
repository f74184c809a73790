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
      // Every write (writer, node, sent, answered, status) while BENCH_FAILOVER_KEEP names a directory: a round slower
      // than BENCH_FAILOVER_SLOW_MS (1000) leaves there its writes around the kill and the node logs.
      String keep = System.getenv("BENCH_FAILOVER_KEEP");
      long slowMs = Long.parseLong(System.getenv().getOrDefault("BENCH_FAILOVER_SLOW_MS", "1000"));
      ConcurrentLinkedQueue<long[]> trace = new ConcurrentLinkedQueue<>();
      long wallOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
      AtomicLong seq = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        threads.add(daemon(() -> {
          while (running.get()) {
            int n = ThreadLocalRandom.current().nextInt(3);
            if (down[n]) {
              continue;
            }
            long sent = System.nanoTime();
            int s = BenchCluster.put(c.api(n) + "/v1/services/fo/w" + (seq.incrementAndGet() % 1000), "{}");
            long done = System.nanoTime();
            if (s / 100 == 2) {
              acks.add(new long[] {sent, done});
            }
            if (keep != null) {
              trace.add(new long[] {writer, n, sent, done, s});
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
        boolean dumped = false;
        while (true) {
          long[] t = acks.poll();
          if (keep != null && !dumped && System.nanoTime() - killed > slowMs * 1_000_000L) {
            dumped = true; // still no write back: what the live nodes' threads wait on
            threadDumps(Path.of(keep).resolve("round-" + (round + 1)), c, leader);
          }
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
        if (keep != null) {
          Thread.sleep(200); // let writes in flight at the first ack end
          if (windows[round] / 1_000_000 > slowMs) {
            keepRound(Path.of(keep), c, round + 1, leader, killed, firstAck, wallOffset, trace);
          }
          trace.clear();
        }
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

  /** Writes of a slow round that overlap [kill - 2 s, first ack + 200 ms], times in ms from the kill, and the node logs. */
  private static void keepRound(Path keep, BenchCluster c, int round, int leader, long killed, long firstAck,
      long wallOffset, ConcurrentLinkedQueue<long[]> trace) throws java.io.IOException {
    Path d = keep.resolve("round-" + round);
    java.nio.file.Files.createDirectories(d);
    StringBuilder b = new StringBuilder();
    b.append(String.format("round %d: killed %s at %s (wall), first ack after %.0f ms%n", round, c.id(leader),
        java.time.Instant.ofEpochMilli((killed + wallOffset) / 1_000_000), (firstAck - killed) / 1e6));
    b.append("writer node sent_ms done_ms took_ms status (ms from the kill)\n");
    List<long[]> rows = new ArrayList<>(trace);
    rows.sort((x, y) -> Long.compare(x[2], y[2]));
    for (long[] t : rows) {
      if (t[3] < killed - 2_000_000_000L || t[2] > firstAck + 200_000_000L) {
        continue;
      }
      b.append(String.format("w%d %s %8.1f %8.1f %8.1f %d%n", t[0], c.id((int) t[1]), (t[2] - killed) / 1e6,
          (t[3] - killed) / 1e6, (t[3] - t[2]) / 1e6, t[4]));
    }
    java.nio.file.Files.writeString(d.resolve("writes.txt"), b.toString());
    for (int i = 0; i < c.size; i++) {
      java.nio.file.Path log = c.dir.resolve(c.id(i) + ".log");
      if (java.nio.file.Files.exists(log)) {
        java.nio.file.Files.copy(log, d.resolve(c.id(i) + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** jcmd Thread.print of every live node, in the background, into {@code d}/bN.threads. */
  private static void threadDumps(Path d, BenchCluster c, int dead) throws java.io.IOException {
    java.nio.file.Files.createDirectories(d);
    for (int i = 0; i < c.size; i++) {
      if (i != dead && c.nodes[i] != null && c.nodes[i].isAlive()) {
        new ProcessBuilder("jcmd", String.valueOf(c.nodes[i].pid()), "Thread.print")
            .redirectErrorStream(true)
            .redirectOutput(d.resolve(c.id(i) + ".threads").toFile())
            .start();
      }
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private Failover() {}
}
