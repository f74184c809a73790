import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.CommonPool;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.SizeInBytes;

/**
 * The real write path below HTTP (RaftRuntime: group commit, submission, RegistryStateMachine, Registry on RocksDB)
 * with three Ratis peers in ONE JVM on loopback, durable segmented log: separates what Ratis and our state machine
 * cost from what three JVMs on two cores cost. One writer submits upserts to the leader one after another, then
 * CONCURRENCY writers keep that many in flight.
 *
 * <p>Usage: {@code InJvmRaft DATA_DIR [SECONDS (10)] [WARMUP_WRITES (10000)] [CONCURRENCY (100,1000)]}
 */
public final class InJvmRaft {
  public static void main(String[] args) throws Exception {
    CommonPool.size(); // as the node's main does
    Path dir = Path.of(args[0]);
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    String[] concurrency = (args.length > 3 ? args[3] : "100,1000").split(",");
    String peers = "i1=127.0.0.64:9053,i2=127.0.0.65:9053,i3=127.0.0.66:9053";
    List<RaftRuntime> nodes = new ArrayList<>();
    List<Registry> registries = new ArrayList<>();
    ExecutorService callbacks = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "writes");
      t.setDaemon(true);
      return t;
    });
    for (int i = 1; i <= 3; i++) {
      NodeConfig c = ConfigLoader.load(List.of("--id", "i" + i, "--data-dir", dir.resolve("i" + i).toString(),
          "--bind", "127.0.0.6" + (3 + i), "--peers", peers), Map.of());
      Registry registry = new Registry(c.stateDir(), new SimpleMeterRegistry());
      registry.load();
      RaftRuntime raft = new RaftRuntime(c, registry, Clock.systemUTC(), callbacks,
          SizeInBytes.valueOf(c.raftSegmentBytes()), new Quiet());
      raft.start();
      nodes.add(raft);
      registries.add(registry);
    }
    RaftRuntime leader = awaitLeader(nodes);
    NodeConfig first = ConfigLoader.load(List.of("--id", "i1", "--data-dir", dir.resolve("i1").toString(),
        "--peers", peers), Map.of());
    check(leader.submit(new Command.InitCluster(first.clusterSettings())).get(30, TimeUnit.SECONDS));
    System.out.printf("3 peers in one JVM, leader %s%n", leader.selfId());

    report("cold, 1 writer, first 500 writes", sequential(leader, 500, 0));
    long t0 = System.nanoTime();
    sequential(leader, warmup, 1);
    System.out.printf("warm-up: %d writes in %.1f s%n", warmup, (System.nanoTime() - t0) / 1e9);
    long[] warm = sequentialFor(leader, seconds);
    report("warm, 1 writer, " + seconds + " s", warm);
    for (String c : concurrency) {
      concurrent(leader, Integer.parseInt(c), seconds);
    }
    for (RaftRuntime n : nodes) {
      n.close();
    }
    registries.forEach(Registry::close);
    System.exit(0);
  }

  private static RaftRuntime awaitLeader(List<RaftRuntime> nodes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (RaftRuntime n : nodes) {
        RaftPeerId l = n.leader();
        if (l != null && l.equals(n.selfId())) {
          return n;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no leader within 60 s");
  }

  private static Command upsert(long n) {
    return new Command.UpsertService(new ServiceKey("bench", "w-" + (n % 10_000)),
        new ServiceSpec(List.of(new ServicePort("http", Protocol.TCP, (int) (1 + n % 60_000))), List.of(), Map.of(),
            null, null));
  }

  private static void check(WriteResult r) {
    if (!(r instanceof WriteResult.Applied a) || a.outcome().refused()) {
      throw new IllegalStateException("write failed: " + r);
    }
  }

  private static long[] sequential(RaftRuntime leader, int writes, long salt) throws Exception {
    long[] lat = new long[writes];
    for (int i = 0; i < writes; i++) {
      long t = System.nanoTime();
      check(leader.submit(upsert(i + salt * 7919)).get(30, TimeUnit.SECONDS));
      lat[i] = System.nanoTime() - t;
    }
    return lat;
  }

  private static long[] sequentialFor(RaftRuntime leader, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long[] lat = new long[1024];
    int n = 0;
    while (System.nanoTime() < end) {
      long t = System.nanoTime();
      check(leader.submit(upsert(n * 31L)).get(30, TimeUnit.SECONDS));
      if (n == lat.length) {
        lat = Arrays.copyOf(lat, n * 2);
      }
      lat[n++] = System.nanoTime() - t;
    }
    return Arrays.copyOf(lat, n);
  }

  private static void concurrent(RaftRuntime leader, int inFlight, int seconds) throws Exception {
    Semaphore slots = new Semaphore(inFlight);
    AtomicLong done = new AtomicLong();
    long[] lat = new long[4_000_000];
    AtomicLong at = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long n = 0;
    while (System.nanoTime() < end) {
      slots.acquire();
      long t = System.nanoTime();
      CompletableFuture<WriteResult> f = leader.submit(upsert(n++));
      f.whenComplete((r, e) -> {
        if (e == null && r instanceof WriteResult.Applied) {
          int i = (int) at.getAndIncrement();
          if (i < lat.length) {
            lat[i] = System.nanoTime() - t;
          }
          done.incrementAndGet();
        }
        slots.release();
      });
    }
    slots.acquire(inFlight);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] got = Arrays.copyOf(lat, (int) Math.min(at.get(), lat.length));
    Arrays.sort(got);
    System.out.printf("%d in flight: %.0f writes/s, p50 %.2f ms, p99 %.2f ms%n", inFlight, done.get() / elapsed,
        pct(got, 0.5), pct(got, 0.99));
  }

  private static void report(String what, long[] lat) {
    long[] s = lat.clone();
    Arrays.sort(s);
    double total = Arrays.stream(lat).sum() / 1e9;
    System.out.printf("%s: %d writes, %.0f writes/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n", what, s.length,
        s.length / total, pct(s, 0.5), pct(s, 0.9), pct(s, 0.99));
  }

  private static double pct(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  /** The node runtime's listener: nothing to do here. */
  private static final class Quiet implements RaftRuntime.RaftMembershipListener {
    @Override
    public void leaderChanged(RaftPeerId leader) {}

    @Override
    public void leaderReady() {}

    @Override
    public void membersChanged(List<RaftPeer> voters, List<RaftPeer> listeners) {}
  }

  private InJvmRaft() {}
}
