package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.DnsApi;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.client.RegistryApi;
import dev.quorumdns.chaos.client.ServiceSpec;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Jepsen-style clients: writers register, update, delete and read names through random nodes;
 * resolvers query names over DNS, each on its own share of the nodes in turn. Every call is
 * recorded as invoke then ok/fail/info. Choices come from the seed (interleavings from the
 * machine). After an info outcome a client continues as a new process, as in Jepsen. Thread-safe:
 * one instance drives its own threads.
 */
public final class Workload {
  public static final String NAMESPACE = "chaos";

  private final RegistryApi api;
  private final DnsApi dns;
  private final List<String> nodes;
  private final HistoryRecorder recorder;
  private final WorkloadConfig config;
  private final long seed;
  private final AtomicIntegerArray generation;
  private final AtomicIntegerArray unknowns;
  private final AtomicLong operations = new AtomicLong();

  /** How long past its duration a run waits for a client that has not started. */
  static final Duration START_GRACE = Duration.ofSeconds(10);

  /** How long a writer waits after an operation that failed or whose outcome is unknown. */
  static final Duration ERROR_BACKOFF = Duration.ofMillis(25);

  public Workload(
      RegistryApi api,
      DnsApi dns,
      List<String> nodes,
      HistoryRecorder recorder,
      WorkloadConfig config,
      long seed) {
    this.api = api;
    this.dns = dns;
    this.nodes = List.copyOf(nodes);
    this.recorder = recorder;
    this.config = config;
    this.seed = seed;
    this.generation = new AtomicIntegerArray(config.names());
    this.unknowns = new AtomicIntegerArray(config.names());
  }

  /**
   * Runs every client on {@code executor} until {@code duration} has passed since the last client
   * started, or {@code stop} turns true. Timed from the last start, not from submission: on a
   * loaded machine a client's thread can start late, and a short run then had no DNS query at all.
   * A client that cannot start (an executor without a free thread) ends the run {@link
   * #START_GRACE} after the duration.
   */
  public long run(Duration duration, ExecutorService executor, BooleanSupplier stop) {
    long submitted = System.nanoTime();
    CountDownLatch starting = new CountDownLatch(config.writers() + config.resolvers());
    AtomicLong allRunningAt = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    BooleanSupplier finished =
        () -> {
          if (done.get() || stop.getAsBoolean()) {
            return true;
          }
          long from = allRunningAt.get();
          long now = System.nanoTime();
          return from != 0
              ? now - from > duration.toNanos()
              : now - submitted > duration.toNanos() + START_GRACE.toNanos();
        };
    Runnable started =
        () -> {
          starting.countDown();
          if (starting.getCount() == 0) {
            allRunningAt.compareAndSet(0, System.nanoTime());
          }
        };
    List<Future<?>> clients = new ArrayList<>();
    int process = 0;
    for (int i = 0; i < config.writers(); i++) {
      int base = process++;
      clients.add(
          executor.submit(
              () -> {
                started.run();
                writer(base, finished);
              }));
    }
    for (int i = 0; i < config.resolvers(); i++) {
      int base = process++;
      List<String> share = resolverShare(i);
      clients.add(
          executor.submit(
              () -> {
                started.run();
                resolver(base, share, finished);
              }));
    }
    try {
      for (Future<?> f : clients) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a workload client failed", e.getCause());
    } finally {
      done.set(true);
    }
    return operations.get();
  }

  /** Every name that has been in play (all generations), e.g. for final reads. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < config.names(); i++) {
      for (int g = 0; g <= generation.get(i); g++) {
        out.add(name(i, g));
      }
    }
    return out;
  }

  /** The current name of slot {@code i}. */
  private String name(int i) {
    return name(i, generation.get(i));
  }

  private static String name(int i, int g) {
    return NAMESPACE + "/s" + i + (g == 0 ? "" : "-g" + g);
  }

  private void writer(int base, BooleanSupplier finished) {
    Random random = new Random(seed * 31 + base);
    Map<String, Boolean> believedPresent = new HashMap<>();
    int process = base;
    int processes = config.writers() + config.resolvers();
    while (!finished.getAsBoolean()) {
      int slot = random.nextInt(config.names());
      String name = name(slot);
      String node = nodes.get(random.nextInt(nodes.size()));
      double roll = random.nextDouble();
      boolean present = believedPresent.getOrDefault(name, false);
      OpKind kind =
          roll < config.readShare()
              ? OpKind.READ_API
              : present && roll < config.readShare() + config.deleteShare()
                  ? OpKind.DELETE
                  : present ? OpKind.UPDATE : OpKind.REGISTER;
      ServiceSpec spec =
          new ServiceSpec(
              List.of("10.1." + random.nextInt(4) + "." + (1 + random.nextInt(250)) + ":8080"));
      Op invoke =
          recorder.invoke(
              Op.invoke(process, kind, node, name, kind.isPut() ? spec.canonical() : null));
      Outcome outcome =
          switch (kind) {
            case READ_API -> api.get(node, name);
            case DELETE -> api.delete(node, name);
            default -> api.put(node, name, spec);
          };
      recorder.complete(invoke, completion(invoke, outcome));
      operations.incrementAndGet();
      if (outcome.type() != OpType.OK) {
        // As a real client would: a node that is down fails at once (Docker's proxy accepts and
        // closes), and
        // retrying in a tight loop made thousands of connections a second that starved the
        // restarting nodes.
        LockSupport.parkNanos(ERROR_BACKOFF.toNanos());
      }
      if (outcome.type() == OpType.OK) {
        believedPresent.put(
            name, !kind.equals(OpKind.DELETE) && !"not_found".equals(outcome.result()));
      } else if (outcome.type() == OpType.INFO) {
        process += processes;
        if (unknowns.incrementAndGet(slot) > config.maxUnknownPerName()
            && generation.compareAndSet(slot, generation.get(slot), generation.get(slot) + 1)) {
          unknowns.set(slot, 0);
        }
      }
    }
  }

  /**
   * The nodes resolver {@code k} queries: node {@code j} goes to every resolver {@code k} with
   * {@code j = k} modulo the smaller of the two counts, so every node has a resolver and, with at
   * least as many resolvers as nodes, each resolver stays on one node. A query to a node that is
   * down waits for its timeout (2 s); a resolver going round every node spent most of a kill
   * scenario waiting on the killed one (base run 1319124: 12 queries a second against 450 in the
   * partition scenario, 748 answered where the floor is 1,000), and the nodes that were up, whose
   * answers the scenario is about, went unasked meanwhile.
   */
  List<String> resolverShare(int k) {
    int m = Math.min(config.resolvers(), nodes.size());
    List<String> share = new ArrayList<>();
    for (int j = 0; j < nodes.size(); j++) {
      if (j % m == k % m) {
        share.add(nodes.get(j));
      }
    }
    return share;
  }

  private void resolver(int base, List<String> share, BooleanSupplier finished) {
    Random random = new Random(seed * 31 + base);
    int turn = random.nextInt(share.size());
    long interval = config.resolveRate() > 0 ? (long) (1e9 / config.resolveRate()) : 0;
    long next = System.nanoTime();
    while (!finished.getAsBoolean()) {
      if (interval > 0) {
        // paced, not sleeping a fixed time: a slow answer is not followed by a wait
        next += interval;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else if (wait < -1_000_000_000L) {
          next = System.nanoTime();
        }
      }
      String node = share.get(turn++ % share.size());
      String name = name(random.nextInt(config.names()));
      DnsFamilies.query(this, dns, recorder, base, node, name, random);
    }
  }

  /** Counts an operation made by a helper on this workload's behalf. */
  void counted() {
    operations.incrementAndGet();
  }

  /** One recorded DNS query (also used by the final phase). */
  Outcome resolve(int process, String node, String name) {
    Op invoke = recorder.invoke(Op.invoke(process, OpKind.RESOLVE_DNS, node, name, null));
    Outcome outcome = dns.resolve(node, name);
    recorder.complete(invoke, completion(invoke, outcome));
    operations.incrementAndGet();
    return outcome;
  }

  static Op completion(Op invoke, Outcome outcome) {
    Op done =
        invoke
            .complete(outcome.type(), outcome.spec(), outcome.vip(), outcome.result())
            .withError(outcome.error());
    if (outcome.revision() != null) {
      done = done.withRevision(outcome.revision());
    }
    if (outcome.appliedAt() != null) {
      done = done.withAppliedAt(outcome.appliedAt());
    }
    if (outcome.vip6() != null) {
      done = done.withVip6(outcome.vip6());
    }
    return outcome.registry() == null ? done : done.withRegistry(outcome.registry());
  }
}
