package dev.quorumdns.chaos.cluster;

import dev.quorumdns.chaos.client.ClusterStatus;
import dev.quorumdns.chaos.client.HttpRegistryClient;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.nemesis.ClusterControl;
import dev.quorumdns.chaos.nemesis.HostFaults;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link ClusterControl} over a {@link ChaosCluster}. The leader comes from a supplier: for the
 * real node, {@link #leaderFromApi}; for a stand-in, whatever the test decides. Membership changes
 * go through another member's HTTP API. Driven from the nemesis thread.
 */
public final class ContainerControl implements ClusterControl, HostFaults {
  private final ChaosCluster cluster;
  private final Supplier<Optional<String>> leader;
  private final HttpRegistryClient api;
  private final int raftPort;

  public ContainerControl(
      ChaosCluster cluster,
      Supplier<Optional<String>> leader,
      HttpRegistryClient api,
      int raftPort) {
    this.cluster = cluster;
    this.leader = leader;
    this.api = api;
    this.raftPort = raftPort;
  }

  /** The leader named by the reachable node with the highest term. */
  public static Supplier<Optional<String>> leaderFromApi(List<String> ids, HttpRegistryClient api) {
    return () ->
        ids.stream()
            .map(api::cluster)
            .filter(ClusterStatus::reachable)
            .filter(s -> s.leader() != null)
            .max(Comparator.comparingLong(ClusterStatus::term))
            .map(ClusterStatus::leader);
  }

  @Override
  public List<String> ids() {
    return cluster.ids();
  }

  @Override
  public Optional<String> leader() {
    return leader.get();
  }

  @Override
  public void kill(String id) {
    cluster.node(id).kill();
  }

  @Override
  public void start(String id) {
    ChaosNode node = cluster.node(id);
    Await.until(
        id + " process gone before restart",
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> !node.processAlive());
    cluster.startProcess(node);
  }

  @Override
  public void freeze(String id) {
    cluster.node(id).stopProcess();
  }

  @Override
  public void thaw(String id) {
    cluster.node(id).continueProcess();
  }

  @Override
  public void pauseContainer(String id) {
    cluster.node(id).pauseContainer();
  }

  @Override
  public void unpauseContainer(String id) {
    cluster.node(id).unpauseContainer();
  }

  @Override
  public void partition(Grudge grudge) {
    cluster.partition(grudge);
  }

  @Override
  public void packetLoss(double probability) {
    cluster.packetLoss(probability);
  }

  @Override
  public void healNetwork() {
    cluster.heal();
  }

  @Override
  public int logCount(String id, String text) {
    return cluster.node(id).countInLog(text);
  }

  /** Removes {@code id} from the configuration; the removed node stops itself, which is awaited. */
  @Override
  public void removeMember(String id) {
    changeMembership(id, false);
    ChaosNode node = cluster.node(id);
    Await.until(
        id + " stopping itself once removed",
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () -> !node.processAlive());
  }

  /**
   * Re-adds {@code id} as a new member: data wiped, started with --join, added, filled by the
   * leader. A joiner that stops itself as removed before its addition completes is wiped and
   * started again, the step its log asks of an operator ("Wipe ... before it joins again"): fed by
   * a leader's log appender Ratis kept from before its removal, it receives the history that lists
   * it and then removes it, campaigns with it once that leader hands its leadership on, and is told
   * to shut down (extended chaos run 2024120625). Nemeses note it from the node's log ({@link
   * ClusterControl#STOPPED_AS_REMOVED}).
   */
  @Override
  public void addMember(String id) {
    ChaosNode node = cluster.node(id);
    startJoiner(node);
    int[] removals = {node.countInLog(STOPPED_AS_REMOVED)};
    changeMembership(
        id,
        true,
        () -> {
          int now = node.countInLog(STOPPED_AS_REMOVED);
          if (now > removals[0] && !node.processAlive()) {
            removals[0] = now;
            startJoiner(node);
          }
        });
  }

  private void startJoiner(ChaosNode node) {
    cluster.startJoining(node);
    Await.until(
        node.id() + " API up to join",
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> api.cluster(node.id()).reachable());
  }

  /**
   * Asks another member to add or remove {@code id} until the cluster's configuration shows it: a
   * change whose answer timed out may still have happened, and one refused for a concurrent change
   * can be asked again.
   */
  private void changeMembership(String id, boolean add) {
    changeMembership(id, add, () -> {});
  }

  /** As above, running {@code beforeEach} before each look and attempt. */
  private void changeMembership(String id, boolean add, Runnable beforeEach) {
    String what = (add ? "adding " : "removing ") + id;
    Await.until(
        what,
        Duration.ofSeconds(90),
        Duration.ofMillis(500),
        () -> {
          beforeEach.run();
          String via = other(id);
          ClusterStatus status = api.cluster(via);
          if (status.reachable()
              && !status.members().isEmpty()
              && status.members().stream().anyMatch(m -> m.id().equals(id)) == add) {
            return true;
          }
          Outcome outcome =
              add
                  ? api.addMember(via, id, cluster.addresses().get(id) + ":" + raftPort, "voter")
                  : api.removeMember(via, id);
          return outcome.type() == OpType.OK;
        });
  }

  @Override
  public boolean setClockOffset(String id, long seconds) {
    return ContainerHostFaults.setClockOffset(cluster.node(id), seconds);
  }

  @Override
  public String corrupt(String id, Corruption corruption, double pick, double at) {
    return ContainerHostFaults.corrupt(cluster.node(id), corruption, pick, at);
  }

  @Override
  public boolean processAlive(String id) {
    return cluster.node(id).processAlive();
  }

  @Override
  public boolean ready(String id) {
    return api.ready(id);
  }

  @Override
  public String logTail(String id, int lines) {
    return cluster.node(id).logTail(lines);
  }

  @Override
  public long fillDisk(String id) {
    return ContainerHostFaults.fillDisk(cluster.node(id));
  }

  @Override
  public void freeDisk(String id) {
    ContainerHostFaults.freeDisk(cluster.node(id));
  }

  private String other(String id) {
    return leader()
        .filter(l -> !Objects.equals(l, id))
        .orElseGet(
            () -> cluster.ids().stream().filter(n -> !n.equals(id)).findFirst().orElseThrow());
  }
}
