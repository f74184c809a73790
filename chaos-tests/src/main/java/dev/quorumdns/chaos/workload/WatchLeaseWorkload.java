package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.client.RegistryApi;
import dev.quorumdns.chaos.client.WatchLeaseApi;
import dev.quorumdns.chaos.client.WatchLeaseApi.LeaseReply;
import dev.quorumdns.chaos.client.WatchLeaseApi.WatchEnd;
import dev.quorumdns.chaos.client.WatchLeaseApi.WatchLine;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The watch and lease workloads, running through the whole run on their own threads:
 *
 * <ul>
 *   <li>one watcher per node streams {@code GET /v1/watch} from that node, recording every line and
 *       reconnect ({@code watch-*} events); after a dropped connection it resumes from the last
 *       revision it saw whole (a later revision or a progress line came after it), and after 410 it
 *       relists ({@code GET /v1/services?stale}) and watches from the list's revision;
 *   <li>keepers each hold a lease (ttl 5-10 s) with an endpoint on a service of namespace {@value
 *       #NAMESPACE} and renew it every ttl/3 until the end; when it is gone (after a quorum loss it
 *       may legitimately expire) they grant a new one;
 *   <li>an abandoner grants leases, renews each a few times, then revokes it or stops renewing
 *       (recorded {@code lease-abandon}), and probes it ({@code GET /v1/leases/{id}}) until it is
 *       gone.
 * </ul>
 *
 * Service {@code lease/<k>} has a plain endpoint {@code 10.9.x.y:80} and one leased endpoint {@code
 * 10.8.x.y:8080}. Lifecycle: {@link #start}, {@link #settle} after heal (no new leases; wait until
 * every abandoned lease is gone), {@link #finish} after the final phase. Thread-safe.
 */
public final class WatchLeaseWorkload {
  public static final String NAMESPACE = "lease";
  public static final String LEASED_PREFIX = "10.8.";
  public static final int WATCHER_PROCESS = 2_000_000;
  public static final int LEASE_PROCESS = 3_000_000;

  /** Lease TTLs and pacing; the chaos run uses {@link #standard()}, in-memory tests far less. */
  public record Config(
      int keepers,
      int abandoners,
      Duration ttlMin,
      Duration ttlMax,
      Duration probeEvery,
      Duration watchIdle,
      Duration settleSlack) {
    public static Config standard() {
      return new Config(
          3,
          1,
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(1),
          Duration.ofSeconds(12),
          Duration.ofSeconds(5));
    }
  }

  private final RegistryApi registry;
  private final WatchLeaseApi api;
  private final List<String> nodes;
  private final HistoryRecorder recorder;
  private final Config config;
  private final long seed;
  private final ExecutorService threads;
  private final List<Future<?>> watchers = new ArrayList<>();
  private final List<Future<?>> leaseClients = new ArrayList<>();
  private final AtomicBoolean noNewLeases = new AtomicBoolean();
  private final AtomicBoolean stopKeepers = new AtomicBoolean();
  private final AtomicBoolean stopWatchers = new AtomicBoolean();
  private final Map<String, Long> targets = new ConcurrentHashMap<>();
  private final Map<String, Boolean> pendingAbandoned = new ConcurrentHashMap<>();
  private final AtomicInteger serviceCounter = new AtomicInteger();
  private volatile long lastAbandonNanos;

  public WatchLeaseWorkload(
      RegistryApi registry,
      WatchLeaseApi api,
      List<String> nodes,
      HistoryRecorder recorder,
      Config config,
      long seed) {
    this.registry = registry;
    this.api = api;
    this.nodes = List.copyOf(nodes);
    this.recorder = recorder;
    this.config = config;
    this.seed = seed;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "watch-lease");
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    for (int i = 0; i < nodes.size(); i++) {
      String node = nodes.get(i);
      int process = WATCHER_PROCESS + i;
      watchers.add(threads.submit(() -> new Watcher(node, process).run()));
    }
    for (int k = 0; k < config.keepers(); k++) {
      int process = LEASE_PROCESS + k;
      leaseClients.add(threads.submit(() -> keeper(process)));
    }
    for (int a = 0; a < config.abandoners(); a++) {
      int process = LEASE_PROCESS + 100 + a;
      leaseClients.add(threads.submit(() -> abandoner(process)));
    }
  }

  /**
   * After heal: no new leases; waits until every abandoned lease answered 404, or until the longest
   * TTL plus the slack has passed since now or since the last abandon.
   */
  public void settle() {
    noNewLeases.set(true);
    long from = Math.max(System.nanoTime(), lastAbandonNanos);
    long deadline = from + config.ttlMax().plus(config.settleSlack()).toNanos();
    while (System.nanoTime() < deadline && !(pendingAbandoned.isEmpty() && abandonersDone())) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private boolean abandonersDone() {
    return leaseClients.subList(config.keepers(), leaseClients.size()).stream()
        .allMatch(Future::isDone);
  }

  /**
   * After the final phase: each watcher goes on until it has seen its node's final revision whole
   * (from {@code finalRevisions}), records {@code watch-end final} and stops; then the keepers
   * stop.
   */
  public void finish(Map<String, Long> finalRevisions, Duration within) {
    targets.putAll(finalRevisions);
    long deadline = System.nanoTime() + within.toNanos();
    for (Future<?> w : watchers) {
      await(w, deadline);
    }
    stopWatchers.set(true);
    stopKeepers.set(true);
    noNewLeases.set(true);
    long end = System.nanoTime() + within.toNanos();
    for (Future<?> f : watchers) {
      await(f, end);
    }
    for (Future<?> f : leaseClients) {
      await(f, end);
    }
    threads.shutdownNow();
  }

  private static void await(Future<?> f, long deadline) {
    try {
      f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // a timed-out or failed client shows in the history (no final record)
    }
  }

  private Op event(int process, OpKind kind, String node, String name, String value) {
    return new Op(
        0, OpType.INFO, process, kind, node, name, value, null, null, null, null, null, null, 0, 0);
  }

  /** One watcher on one node. */
  private final class Watcher {
    private final String node;
    private final int process;
    private long whole = -1; // every change up to it was seen
    private long lastEvent = -1;
    private boolean relist = true;
    private boolean done;

    Watcher(String node, int process) {
      this.node = node;
      this.process = process;
    }

    void run() {
      while (!stopWatchers.get() && !done) {
        if (relist) {
          Outcome list = registry.list(node, true);
          Op op =
              new Op(
                  0,
                  list.type(),
                  process,
                  OpKind.WATCH_RELIST,
                  node,
                  null,
                  null,
                  null,
                  list.result(),
                  list.revision(),
                  list.registry(),
                  null,
                  list.error(),
                  0,
                  0);
          recorder.record(op);
          if (list.type() == OpType.OK) {
            whole = list.revision();
            lastEvent = -1;
            relist = false;
            checkTarget();
          } else {
            backoff();
          }
          continue;
        }
        long from = whole;
        WatchEnd end =
            api.watch(
                node,
                from,
                config.watchIdle(),
                () ->
                    recorder.record(
                        event(process, OpKind.WATCH_CONNECT, node, null, null)
                            .complete(OpType.OK, null, null, "connected")
                            .withRevision(from)),
                this::line,
                () -> stopWatchers.get() || done);
        if (!end.connected()) {
          recorder.record(
              event(process, OpKind.WATCH_CONNECT, node, null, null)
                  .complete(
                      "gone".equals(end.result()) ? OpType.OK : OpType.FAIL,
                      end.oldestRevision() == null ? null : end.oldestRevision().toString(),
                      null,
                      end.result())
                  .withRevision(from)
                  .withError(end.error()));
          relist = "gone".equals(end.result());
        } else if (!done) {
          recorder.record(
              event(process, OpKind.WATCH_END, node, null, null)
                  .complete(OpType.INFO, null, null, end.result())
                  .withRevision(whole)
                  .withError(end.error()));
        }
        if (!done && !stopWatchers.get()) {
          backoff();
        }
      }
    }

    private void line(WatchLine l) {
      if (l.isChange()) {
        recorder.record(
            event(process, OpKind.WATCH_EVENT, node, l.name(), l.spec())
                .complete(OpType.OK, l.spec(), l.vip(), l.type())
                .withRevision(l.revision()));
        if (l.revision() > lastEvent) {
          if (lastEvent >= 0) {
            whole = Math.max(whole, lastEvent);
          }
          lastEvent = l.revision();
        }
      } else {
        recorder.record(
            event(process, OpKind.WATCH_PROGRESS, node, null, null)
                .complete(OpType.OK, null, null, l.error() == null ? l.type() : l.error())
                .withRevision(l.revision()));
        if ("gone".equals(l.error())) {
          relist = true;
        } else {
          whole = Math.max(whole, l.revision());
        }
      }
      checkTarget();
    }

    private void checkTarget() {
      Long target = targets.get(node);
      if (target != null && !done && whole >= target && !relist) {
        recorder.record(
            event(process, OpKind.WATCH_END, node, null, null)
                .complete(OpType.OK, null, null, "final")
                .withRevision(target));
        done = true;
      }
    }

    private void backoff() {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
    }
  }

  private String node(Random random) {
    return nodes.get(random.nextInt(nodes.size()));
  }

  private Duration ttl(Random random) {
    long min = config.ttlMin().toMillis();
    long max = config.ttlMax().toMillis();
    long ms = min + (long) (random.nextDouble() * (max - min));
    return config.ttlMin().toSeconds() >= 1
        ? Duration.ofSeconds(Math.max(1, Math.round(ms / 1000.0)))
        : Duration.ofMillis(ms);
  }

  private LeaseReply call(
      int process,
      OpKind kind,
      String node,
      String name,
      String value,
      java.util.function.Supplier<LeaseReply> call) {
    Op invoke = recorder.invoke(Op.invoke(process, kind, node, name, value));
    LeaseReply reply = call.get();
    recorder.complete(
        invoke,
        invoke
            .complete(
                reply.type(), reply.id() == null ? value : reply.id(), reply.vip(), reply.result())
            .withError(reply.error()));
    return reply;
  }

  /** A granted and registered lease, or null when the grant failed. */
  private record Held(String id, String service, Duration ttl) {}

  private Held grantAndRegister(int process, Random random) {
    Duration ttl = ttl(random);
    String grantNode = node(random);
    LeaseReply granted =
        call(
            process,
            OpKind.LEASE_GRANT,
            grantNode,
            null,
            Long.toString(ttl.toMillis()),
            () -> api.grant(grantNode, ttl));
    if (granted.type() != OpType.OK) {
      return null;
    }
    int n = serviceCounter.incrementAndGet();
    String service = NAMESPACE + "/l" + n;
    String x = (n / 250) % 250 + "." + (n % 250 + 1);
    String node = node(random);
    call(
        process,
        OpKind.LEASE_REGISTER,
        node,
        service,
        granted.id(),
        () ->
            api.register(
                node, service, "10.9." + x + ":80", LEASED_PREFIX + x + ":8080", granted.id()));
    return new Held(granted.id(), service, ttl);
  }

  private void keeper(int process) {
    Random random = new Random(seed * 31 + process);
    while (!stopKeepers.get()) {
      Held held = noNewLeases.get() ? null : grantAndRegister(process, random);
      if (held == null) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        continue;
      }
      long next = System.nanoTime() + held.ttl().toNanos() / 3;
      while (!stopKeepers.get()) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
          continue;
        }
        long invoked = System.nanoTime();
        String node = node(random);
        LeaseReply r =
            call(
                process,
                OpKind.LEASE_KEEPALIVE,
                node,
                held.service(),
                held.id(),
                () -> api.keepAlive(node, held.id()));
        if (r.type() == OpType.OK && "not_found".equals(r.result())) {
          break; // gone (e.g. expired during a quorum loss): hold a new one
        }
        next =
            r.type() == OpType.OK && "renewed".equals(r.result())
                ? invoked + held.ttl().toNanos() / 3
                : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      }
    }
  }

  private void abandoner(int process) {
    Random random = new Random(seed * 31 + process);
    Map<Held, Long> probes = new ConcurrentHashMap<>();
    long nextProbe = 0;
    while (!noNewLeases.get() || !probes.isEmpty()) {
      if (System.nanoTime() - nextProbe >= 0) {
        nextProbe = System.nanoTime() + config.probeEvery().toNanos();
        for (Held h : List.copyOf(probes.keySet())) {
          String node = node(random);
          LeaseReply r =
              call(
                  process,
                  OpKind.LEASE_READ,
                  node,
                  h.service(),
                  h.id(),
                  () -> api.read(node, h.id()));
          if (r.type() == OpType.OK && "not_found".equals(r.result())) {
            probes.remove(h);
            pendingAbandoned.remove(h.id());
          }
        }
      }
      if (noNewLeases.get()) {
        if (stopKeepers.get()) {
          break;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        continue;
      }
      Held held = grantAndRegister(process, random);
      if (held == null) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        continue;
      }
      int renewals = random.nextInt(3);
      for (int i = 0; i < renewals && !noNewLeases.get(); i++) {
        LockSupport.parkNanos(held.ttl().toNanos() / 3);
        String node = node(random);
        call(
            process,
            OpKind.LEASE_KEEPALIVE,
            node,
            held.service(),
            held.id(),
            () -> api.keepAlive(node, held.id()));
      }
      pendingAbandoned.put(held.id(), true);
      if (random.nextBoolean()) {
        String node = node(random);
        call(
            process,
            OpKind.LEASE_REVOKE,
            node,
            held.service(),
            held.id(),
            () -> api.revoke(node, held.id()));
      } else {
        recorder.record(event(process, OpKind.LEASE_ABANDON, null, held.service(), held.id()));
      }
      lastAbandonNanos = System.nanoTime();
      probes.put(held, System.nanoTime());
      LockSupport.parkNanos(held.ttl().toNanos() / 2);
    }
  }
}
