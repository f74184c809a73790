package dev.quorumdns.chaos.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * N node containers on a private Docker network made for this test, each running the launcher's
 * process. Owns the network and the containers: {@link #close} removes them. Methods that touch one
 * node delegate to {@link ChaosNode}; {@link #start} and {@link #close} are for the owning test
 * thread. Nodes may be added ({@link #addJoiningNode}) and removed ({@link #removeNode}) while a
 * run goes on: the node list and address map are replaced, never changed in place, so clients
 * looking a node up from other threads see one or the other.
 */
public final class ChaosCluster implements AutoCloseable {
  private final NodeLauncher launcher;
  private final Network network;
  private final List<ChaosNode> nodes = new CopyOnWriteArrayList<>();
  private volatile Map<String, String> addresses = Map.of();

  /** The members started at once with a static peer list: their command line names only them. */
  private Map<String, String> founders = Map.of();

  /** Nodes added at run time: (re)started with the launcher's retry-join command line. */
  private final Set<String> discovering = ConcurrentHashMap.newKeySet();

  /** Last log lines of nodes removed at run time, kept for the report. */
  private final Map<String, String> retiredLogs = new ConcurrentHashMap<>();

  private String image;
  private int apiPort;
  private int dnsPort;

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
    cluster.image = image;
    cluster.apiPort = apiPort;
    cluster.dnsPort = dnsPort;
    try {
      for (int i = 1; i <= count; i++) {
        cluster.nodes.add(
            new ChaosNode(
                "n" + i,
                image,
                cluster.network,
                launcher.mounts(),
                launcher.tmpfs(),
                apiPort,
                dnsPort));
      }
      CompletableFuture.allOf(
              cluster.nodes.stream()
                  .map(n -> CompletableFuture.runAsync(n::startContainer, executor))
                  .toArray(CompletableFuture[]::new))
          .join();
      Map<String, String> all = new LinkedHashMap<>();
      cluster.nodes.forEach(n -> all.put(n.id(), n.ip()));
      cluster.addresses = Collections.unmodifiableMap(all);
      cluster.founders = cluster.addresses;
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
    return addresses;
  }

  /**
   * (Re)starts the node process of {@code node} with the launcher's command line: the static peer
   * list of the founding members, or, for a node added at run time, the retry-join line.
   */
  public void startProcess(ChaosNode node) {
    List<String> argv =
        discovering.contains(node.id())
            ? launcher.retryJoinCommand(node.id(), addresses)
            : launcher.command(node.id(), founders);
    node.startProcess(argv, launcher.environment(node.id()));
  }

  /**
   * Creates a container for a new node {@code id} on the network and starts its process with the
   * launcher's retry-join command line (it finds the cluster through the other nodes' APIs and is
   * added as a listener). Its container and firewall chain exist before this returns; its process
   * is starting.
   */
  public ChaosNode addJoiningNode(String id) {
    if (addresses.containsKey(id)) {
      throw new IllegalArgumentException("node: " + id + " exists (nodes: " + ids() + ")");
    }
    ChaosNode node =
        new ChaosNode(id, image, network, launcher.mounts(), launcher.tmpfs(), apiPort, dnsPort);
    try {
      node.startContainer();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    Map<String, String> all = new LinkedHashMap<>(addresses);
    all.put(id, node.ip());
    addresses = Collections.unmodifiableMap(all);
    discovering.add(id);
    nodes.add(node);
    startProcess(node);
    return node;
  }

  /**
   * Stops and removes the container of {@code id} (its process should have left the cluster or be
   * dead), keeping its log tail for the report ({@link #retiredLogs}).
   */
  public void removeNode(String id) {
    ChaosNode node = node(id);
    try {
      retiredLogs.put(id, node.logTail(2000));
    } catch (RuntimeException e) {
      retiredLogs.put(id, "(log unreadable: " + e + ")");
    }
    nodes.remove(node);
    Map<String, String> all = new LinkedHashMap<>(addresses);
    all.remove(id);
    addresses = Collections.unmodifiableMap(all);
    node.close();
  }

  /** Node id → last log lines, for nodes removed at run time. */
  public Map<String, String> retiredLogs() {
    return Map.copyOf(retiredLogs);
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
    Map<String, String> now = addresses;
    for (ChaosNode n : nodes) {
      n.firewall(Firewall.rules(n.id(), grudge, now));
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
