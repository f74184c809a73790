package dev.quorumdns.chaos.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * N node containers on a private Docker network made for this test, each running the launcher's
 * process. Owns the network and the containers: {@link #close} removes them. Methods that touch one
 * node delegate to {@link ChaosNode}; {@link #start} and {@link #close} are for the owning test
 * thread.
 */
public final class ChaosCluster implements AutoCloseable {
  private final NodeLauncher launcher;
  private final Network network;
  private final List<ChaosNode> nodes = new ArrayList<>();
  private final Map<String, String> addresses = new LinkedHashMap<>();

  private ChaosCluster(NodeLauncher launcher, Network network) {
    this.launcher = launcher;
    this.network = network;
  }

  /**
   * Creates the network, imports the image if needed, starts {@code count} containers (ids n1..nN)
   * in parallel on {@code executor}, then starts every node process.
   */
  public static ChaosCluster start(
      int count, NodeLauncher launcher, int apiPort, int dnsPort, ExecutorService executor) {
    String image = NodeImage.ensure(DockerClientFactory.instance().client());
    ChaosCluster cluster = new ChaosCluster(launcher, Network.newNetwork());
    try {
      for (int i = 1; i <= count; i++) {
        cluster.nodes.add(
            new ChaosNode("n" + i, image, cluster.network, launcher.mounts(), apiPort, dnsPort));
      }
      CompletableFuture.allOf(
              cluster.nodes.stream()
                  .map(n -> CompletableFuture.runAsync(n::startContainer, executor))
                  .toArray(CompletableFuture[]::new))
          .join();
      cluster.nodes.forEach(n -> cluster.addresses.put(n.id(), n.ip()));
      cluster.nodes.forEach(cluster::startProcess);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public List<ChaosNode> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public List<String> ids() {
    return ChaosNode.ids(nodes);
  }

  public ChaosNode node(String id) {
    return nodes.stream()
        .filter(n -> n.id().equals(id))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("node: " + id + " (expected one of " + ids() + ")"));
  }

  /** Node id → address on the private network. */
  public Map<String, String> addresses() {
    return Collections.unmodifiableMap(addresses);
  }

  /** (Re)starts the node process of {@code node} with the launcher's command line. */
  public void startProcess(ChaosNode node) {
    node.startProcess(launcher.command(node.id(), addresses), launcher.environment(node.id()));
  }

  /**
   * Starts {@code node} afresh as a joining member: its process gone, its data wiped, started to be
   * added.
   */
  public void startJoining(ChaosNode node) {
    if (node.processAlive()) {
      node.kill();
    }
    Await.until(
        node.id() + " process gone before it rejoins",
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> !node.processAlive());
    node.wipeData();
    node.startProcess(launcher.joinCommand(node.id(), addresses), launcher.environment(node.id()));
  }

  /** Applies a grudge on every node (after healing earlier cuts). */
  public void partition(Grudge grudge) {
    heal();
    for (ChaosNode n : nodes) {
      n.firewall(Firewall.rules(n.id(), grudge, addresses));
    }
  }

  /** Random loss of packets between nodes with probability {@code p}, on every node's input. */
  public void packetLoss(double p) {
    heal();
    for (ChaosNode n : nodes) {
      List<String> peers = new ArrayList<>(ids());
      peers.remove(n.id());
      n.firewall(Firewall.loss(peers, p, addresses));
    }
  }

  /** Removes every network fault. */
  public void heal() {
    for (ChaosNode n : nodes) {
      n.firewall(List.of(Firewall.heal()));
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (ChaosNode n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    network.close();
    if (first != null) {
      throw first;
    }
  }
}
