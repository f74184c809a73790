package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.checker.AutopilotChecker;
import dev.quorumdns.chaos.checker.AutopilotRules;
import dev.quorumdns.chaos.client.ClusterProbe;
import dev.quorumdns.chaos.client.DnsApi;
import dev.quorumdns.chaos.client.HttpRegistryClient;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.cluster.ChaosCluster;
import dev.quorumdns.chaos.cluster.ContainerControl;
import dev.quorumdns.chaos.history.ClusterView;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.nemesis.Nemeses;
import dev.quorumdns.chaos.nemesis.Nemesis;
import dev.quorumdns.chaos.nemesis.NemesisRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autopilot scenario, scripted (the seed picks the faults in between, the dead voter and the
 * fault holds), run in place of a nemesis schedule while the workload goes on:
 *
 * <ol>
 *   <li>two new nodes start in new containers with {@code --retry-join} (fault {@code member-join})
 *       while a kill or partition hits; they come in as listeners and the autopilot promotes both
 *       (five voters);
 *   <li>a kill or partition;
 *   <li>one of the new nodes (not the leader) is killed and left dead ({@code member-dead}) until
 *       the autopilot removes it after {@code autopilot-dead-after}; the autopilot then demotes a
 *       voter to keep the count odd;
 *   <li>a kill or partition;
 *   <li>the other new node leaves cleanly ({@code member-leave}: {@code DELETE} of the member
 *       through another member, as the Kubernetes preStop does) and stops itself; its container is
 *       removed;
 *   <li>the three founding members are the voters again (the autopilot promotes one it demoted),
 *       which the next scenario expects: the scenario restores the three-member cluster itself and
 *       may run in any place of the list;
 *   <li>kills and partitions until the scenario's length.
 * </ol>
 *
 * Meanwhile every current member's {@code GET /v1/cluster} is polled about twice a second and
 * recorded ({@link ClusterView}, for {@link AutopilotChecker}), and the new nodes, while they are
 * members and up, are asked DNS and linearizable reads of the workload's names (recorded like the
 * workload's, so every checker judges them). Every membership step is a fault interval in the
 * history. Driven from the nemesis thread; the poller and the guest client run on the pool.
 */
public final class AutopilotScenario {
  private static final Logger LOG = LoggerFactory.getLogger(AutopilotScenario.class);

  /** Faults that hit between the membership steps. */
  static final List<FaultKind> BETWEEN =
      List.of(
          FaultKind.KILL_RANDOM,
          FaultKind.KILL_LEADER,
          FaultKind.PARTITION_LEADER,
          FaultKind.PARTITION_HALVES,
          FaultKind.PARTITION_ONE_WAY);

  private static final int GUEST_PROCESS = 3_000_000;
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration STEP = Duration.ofMillis(250);

  private final ChaosCluster cluster;
  private final ContainerControl control;
  private final HttpRegistryClient api;
  private final DnsApi dns;
  private final ClusterProbe probe;
  private final HistoryRecorder recorder;
  private final Supplier<List<String>> names;
  private final RunSettings settings;
  private final AutopilotRules rules;
  private final Map<FaultKind, Nemesis> nemeses;

  /** The members when the scenario starts. */
  private final List<String> founders;

  private final RemovedFounders removed;

  /** New nodes that are members and up: the guest client asks them. */
  private final Set<String> guests = ConcurrentHashMap.newKeySet();

  public AutopilotScenario(
      ChaosCluster cluster,
      ContainerControl control,
      HttpRegistryClient api,
      DnsApi dns,
      ClusterProbe probe,
      HistoryRecorder recorder,
      Supplier<List<String>> names,
      RunSettings settings,
      AutopilotRules rules) {
    this.cluster = cluster;
    this.control = control;
    this.api = api;
    this.dns = dns;
    this.probe = probe;
    this.recorder = recorder;
    this.names = names;
    this.settings = settings;
    this.rules = rules;
    this.nemeses = Nemeses.all(settings.lossProbability());
    this.founders = List.copyOf(cluster.ids());
    this.removed = new RemovedFounders(cluster, control, recorder);
  }

  /**
   * Runs the script, then faults until {@code length} has passed since the start or {@code stop}
   * turns true. The membership steps and the restoration of the founding members run even when
   * stopped (each has its own deadline); only the optional faults are skipped.
   */
  public NemesisRunner.Outcome run(
      Duration length, long seed, BooleanSupplier stop, ExecutorService pool) {
    Random random = new Random(seed);
    long origin = System.nanoTime();
    List<String> skipped = new ArrayList<>();
    int[] injected = {0};
    AtomicBoolean done = new AtomicBoolean();
    Future<?> poller = pool.submit(() -> poll(done));
    Future<?> guest = pool.submit(() -> guest(done, seed));
    try {
      script(random, origin, length, stop, skipped, injected);
    } catch (RuntimeException e) {
      // recorded, so the report is written and the autopilot checker fails the run with the reason
      LOG.error("autopilot scenario failed", e);
      recorder.phase(AutopilotChecker.FAILED, String.valueOf(e.getMessage()));
      skipped.add("script failed: " + e.getMessage());
    } finally {
      done.set(true);
      finish(poller);
      finish(guest);
    }
    return new NemesisRunner.Outcome(injected[0], skipped);
  }

  private void script(
      Random random,
      long origin,
      Duration length,
      BooleanSupplier stop,
      List<String> skipped,
      int[] injected) {
    // 1. two nodes join through retry-join while a fault hits
    List<String> joiners = newIds(founders, 2);
    recorder.phase(History.INJECT, FaultKind.MEMBER_JOIN.wire());
    String join = recorder.faultStarted(FaultKind.MEMBER_JOIN, joiners);
    for (String id : joiners) {
      cluster.addJoiningNode(id);
    }
    LOG.info("autopilot: {} started with retry-join", joiners);
    injected[0]++;
    between(random, stop, skipped, injected);
    awaitView(
        "autopilot promoting " + joiners + " to voters",
        Duration.ofSeconds(150),
        v -> v.voters().containsAll(joiners));
    awaitReady(joiners);
    recorder.faultStopped(join, FaultKind.MEMBER_JOIN, joiners);
    guests.addAll(joiners);
    LOG.info("autopilot: {} promoted", joiners);

    // 2.
    between(random, stop, skipped, injected);

    // 3. a voter left dead until the autopilot removes it
    String leader = control.leader().orElse("");
    List<String> candidates = new ArrayList<>(joiners);
    candidates.remove(leader);
    String victim = candidates.get(random.nextInt(candidates.size()));
    guests.remove(victim);
    recorder.phase(History.INJECT, FaultKind.MEMBER_DEAD.wire());
    control.kill(victim);
    String dead = recorder.faultStarted(FaultKind.MEMBER_DEAD, List.of(victim));
    injected[0]++;
    awaitView(
        "autopilot removing dead " + victim,
        rules.deadAfter().multipliedBy(2).plusSeconds(60),
        v -> !v.ids().contains(victim));
    recorder.faultStopped(dead, FaultKind.MEMBER_DEAD, List.of(victim));
    cluster.removeNode(victim);
    LOG.info("autopilot: dead {} removed", victim);

    // 4.
    between(random, stop, skipped, injected);

    // 5. the other new node leaves cleanly
    for (String id : joiners) {
      if (id.equals(victim)) {
        continue;
      }
      guests.remove(id);
      recorder.phase(History.INJECT, FaultKind.MEMBER_LEAVE.wire());
      String leave = recorder.faultStarted(FaultKind.MEMBER_LEAVE, List.of(id));
      injected[0]++;
      control.removeMember(id);
      cluster.removeNode(id);
      recorder.faultStopped(leave, FaultKind.MEMBER_LEAVE, List.of(id));
      LOG.info("autopilot: {} left", id);
    }

    // 6. the founding members are the voters again
    awaitView(
        "the founding members " + founders + " as the only members, all voters",
        Duration.ofSeconds(90),
        v -> v.voters().size() == founders.size() && v.voters().containsAll(founders));
    awaitReady(founders);
    LOG.info("autopilot: {} are the voters again", founders);

    // 7. faults until the scenario's length
    while (!stop.getAsBoolean()
        && System.nanoTime() - origin < length.minus(settings.holdMax()).toNanos()) {
      between(random, stop, skipped, injected);
    }
  }

  /** The new nodes' ids: the first unused n4, n5, ... */
  static List<String> newIds(List<String> existing, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 1; out.size() < count; i++) {
      String id = "n" + i;
      if (!existing.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** One kill or partition from {@link #BETWEEN}, held 1.5-4 s, then every member ready again. */
  private void between(Random random, BooleanSupplier stop, List<String> skipped, int[] injected) {
    FaultKind kind = BETWEEN.get(random.nextInt(BETWEEN.size()));
    long holdMillis = 1500 + random.nextInt(2500);
    if (stop.getAsBoolean()) {
      skipped.add(kind.wire() + ": scenario stopped");
      return;
    }
    Nemesis.Active active = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (active == null) {
      recorder.phase(History.INJECT, kind.wire());
      try {
        active = nemeses.get(kind).inject(control, random);
      } catch (Nemesis.NotApplicable e) {
        if (System.nanoTime() > deadline) {
          skipped.add(kind.wire() + ": " + e.getMessage());
          return;
        }
        LockSupport.parkNanos(STEP.toNanos());
      }
    }
    String id = recorder.faultStarted(kind, active.targets());
    injected[0]++;
    try {
      LockSupport.parkNanos(Duration.ofMillis(holdMillis).toNanos());
    } finally {
      active.heal();
      recorder.faultStopped(id, kind, active.targets());
    }
    awaitReady(cluster.ids());
  }

  private void awaitReady(List<String> ids) {
    // a founder the autopilot removed by rule after a kill ran long (RemovedFounders)
    removed.rejoinAll();
    for (String id : ids) {
      await(id + " ready", settings.restartBound(), () -> api.ready(id));
    }
  }

  /** Waits until the leader's view satisfies {@code condition}. */
  private void awaitView(String what, Duration deadline, Predicate<ClusterView> condition) {
    try {
      await(what, deadline, () -> leaderView().filter(condition).isPresent());
    } catch (IllegalStateException e) {
      // The leader's last view (voters, health, last contact) says why the autopilot did not act.
      throw new IllegalStateException(
          e.getMessage()
              + "; the leader's view then: "
              + leaderView().map(ClusterView::toString).orElse("no node answered as the leader"),
          e);
    }
  }

  /** The view of the node that answers as the leader, if one does. */
  private Optional<ClusterView> leaderView() {
    for (String id : cluster.ids()) {
      Optional<ClusterProbe.Answer> a = probe.poll(id);
      if (a.isPresent() && id.equals(a.get().view().leader())) {
        return Optional.of(a.get().view());
      }
    }
    return Optional.empty();
  }

  private static void await(String what, Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "autopilot scenario: timed out after "
                + deadline.toMillis()
                + " ms waiting for "
                + what);
      }
      LockSupport.parkNanos(STEP.toNanos());
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("autopilot scenario: interrupted waiting for " + what);
      }
    }
  }

  /** Polls every current member's cluster view (recorded) until {@code done}. */
  private void poll(AtomicBoolean done) {
    String lastAction = null;
    while (!done.get()) {
      long next = System.nanoTime() + POLL.toNanos();
      for (String node : cluster.ids()) {
        Op invoke =
            recorder.invoke(
                Op.invoke(ClusterView.PROCESS, OpKind.CLUSTER_STATUS, node, null, null));
        Optional<ClusterProbe.Answer> a = probe.poll(node);
        Op completion =
            a.map(
                    x ->
                        invoke
                            .complete(OpType.OK, x.view().encode(), null, "ok")
                            .withRevision(x.revision()))
                .orElseGet(() -> invoke.complete(OpType.FAIL, null, null, "unreachable"));
        recorder.complete(invoke, completion);
        if (a.isPresent()
            && a.get().lastAction() != null
            && !a.get().lastAction().equals(lastAction)
            && node.equals(a.get().view().leader())) {
          lastAction = a.get().lastAction();
          LOG.info("autopilot on {}: {}", node, lastAction);
        }
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  /** DNS and linearizable reads of the workload's names on the new nodes while they serve. */
  private void guest(AtomicBoolean done, long seed) {
    Random random = new Random(seed * 31 + GUEST_PROCESS);
    int process = GUEST_PROCESS;
    while (!done.get()) {
      List<String> serving = new ArrayList<>(guests);
      List<String> all = names.get();
      if (serving.isEmpty() || all.isEmpty()) {
        LockSupport.parkNanos(STEP.toNanos());
        continue;
      }
      serving.sort(null);
      String node = serving.get(random.nextInt(serving.size()));
      String name = all.get(random.nextInt(all.size()));
      boolean read = random.nextInt(4) == 0;
      Op invoke =
          recorder.invoke(
              Op.invoke(process, read ? OpKind.READ_API : OpKind.RESOLVE_DNS, node, name, null));
      Op completion;
      OpType type;
      try {
        Outcome outcome = read ? api.get(node, name) : dns.resolve(node, name);
        type = outcome.type();
        completion =
            invoke
                .complete(outcome.type(), outcome.spec(), outcome.vip(), outcome.result())
                .withError(outcome.error());
        if (outcome.revision() != null) {
          completion = completion.withRevision(outcome.revision());
        }
      } catch (RuntimeException e) {
        // the node's container went away between the pick and the call
        type = OpType.FAIL;
        completion = invoke.complete(OpType.FAIL, null, null, "gone").withError(e.toString());
      }
      recorder.complete(invoke, completion);
      if (type == OpType.INFO) {
        process++;
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  private static void finish(Future<?> task) {
    try {
      task.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      task.cancel(true);
      LOG.warn("autopilot scenario: a helper task ended badly", e);
    }
  }
}
