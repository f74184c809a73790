package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.registry.IpAddresses;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

/**
 * A 3-node cluster of real processes (Ratis over gRPC, RocksDB on disk) on loopback: writes through
 * a follower, leader kill -9, catch-up by snapshot after the log was purged, a kill -9 of every
 * node once every write is applied everywhere, and one while writers are running. The steps build
 * on each other and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplicatedRegistryIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster(
          "replicated-registry", 1, 3, "--snapshot-threshold", "40", "--raft-segment-size", "16KB");

  /** Every acknowledged registration: name -> "vip4,vip6". */
  private static final Map<String, String> ACKED = new HashMap<>();

  private static NodeProcess killedLeader;

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static String body(int port) {
    return "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":"
        + port
        + "}],"
        + "\"endpoints\":[{\"address\":\"10.9.0.1\",\"port\":8080}],\"labels\":{\"it\":\"yes\"}}";
  }

  private static void register(NodeProcess via, String ns, String name, int port) {
    NodeProcess.Reply r = Writes.put(via, ns, name, body(port));
    String vips = r.body().get("vip4").asText() + "," + r.body().path("vip6").asText();
    String before = ACKED.put(ns + "/" + name, vips);
    if (before != null) {
      assertEquals(before, vips, "an update changed the VIPs of " + ns + "/" + name);
    }
  }

  /**
   * Every live node holds every acknowledged name with its VIPs, in its API and in its DNS answers.
   */
  private static void assertEveryLiveNodeAgrees() {
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(
          WAIT,
          n.id() + " holds every acknowledged name with its VIPs",
          () -> {
            Map<String, String> local = TestCluster.vips(n);
            for (Map.Entry<String, String> e : ACKED.entrySet()) {
              if (!e.getValue().equals(local.get(e.getKey()))) {
                return false;
              }
            }
            return true;
          });
      for (Map.Entry<String, String> e : ACKED.entrySet()) {
        String[] key = e.getKey().split("/");
        String[] vips = e.getValue().split(",");
        String fqdn = key[1] + "." + key[0] + ".mesh.internal";
        assertEquals("NOERROR " + vips[0], n.resolve(fqdn, Type.A), n.id() + " A " + fqdn);
        String aaaa = n.resolve(fqdn, Type.AAAA);
        assertEquals(
            vips[1],
            IpAddresses.format(IpAddresses.parse("aaaa", aaaa.substring("NOERROR ".length()))),
            n.id() + " AAAA " + fqdn + ": " + aaaa);
      }
    }
  }

  @Test
  @Order(1)
  void writesThroughAFollowerReachEveryNode() {
    long t0 = System.nanoTime();
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    System.out.printf(
        "first leader %s elected %d ms after the processes were started%n",
        leader.id(), (System.nanoTime() - t0) / 1_000_000);
    NodeProcess follower = CLUSTER.anyFollower(leader).orElseThrow();
    for (int i = 0; i < 20; i++) {
      register(follower, "shop", "svc-" + i, 1000 + i);
    }
    NodeProcess.Reply created = follower.call("GET", "/v1/services/shop/svc-3", null);
    assertEquals(200, created.status(), "linearizable read through a follower: " + created.body());
    assertEveryLiveNodeAgrees();
  }

  @Test
  @Order(2)
  void leaderKillKeepsEveryNameAndWritesResume() {
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    long t0 = System.nanoTime();
    leader.kill9();
    killedLeader = leader;
    NodeProcess next = CLUSTER.awaitLeader(WAIT);
    long elected = System.nanoTime();
    assertEveryLiveNodeAgrees();
    NodeProcess via = CLUSTER.alive().get(0);
    register(via, "shop", "after-failover", 2000);
    long written = System.nanoTime();
    System.out.printf(
        "leader %s killed: new leader %s seen after %d ms, first write acknowledged after %d ms%n",
        leader.id(), next.id(), (elected - t0) / 1_000_000, (written - t0) / 1_000_000);
    assertEveryLiveNodeAgrees();
  }

  @Test
  @Order(3)
  void restartedNodeCatchesUpBySnapshotAfterThePurge() throws Exception {
    NodeProcess via = CLUSTER.alive().get(0);
    // Enough entries for several snapshots (threshold 40) and purged 16 KB log segments.
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 20; i++) {
        register(via, "shop", "svc-" + i, 3000 + round * 100 + i);
      }
      for (int i = 0; i < 20; i++) {
        register(via, "batch" + round, "b-" + i, 4000 + i);
      }
    }
    assertEveryLiveNodeAgrees();
    long commit = CLUSTER.awaitLeader(WAIT).cluster().get("commitIndex").asLong();
    killedLeader.start();
    CLUSTER.awaitApplied(commit, Duration.ofSeconds(60));
    assertEveryLiveNodeAgrees();
    String log = Files.readString(killedLeader.log());
    assertTrue(
        log.contains("installed snapshot"),
        killedLeader.id()
            + " should have caught up by snapshot installation; its log:\n"
            + killedLeader.tail(40));
  }

  @Test
  @Order(4)
  void killingEveryNodeLosesNoAcknowledgedWrite() {
    for (NodeProcess n : CLUSTER.nodes()) {
      n.kill9();
    }
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    assertEveryLiveNodeAgrees();
    for (NodeProcess n : CLUSTER.alive()) {
      JsonNode c = n.cluster();
      assertEquals(
          ACKED.size() + 0, TestCluster.vips(n).size(), n.id() + " service count; cluster " + c);
    }
    assertNothingReplayed();
    register(leader, "shop", "after-restart", 5000);
    assertEveryLiveNodeAgrees();
  }

  /**
   * Writers keep registering new names through every node (several per node, so writes also travel
   * grouped) while every node is killed with SIGKILL; after the restart every acknowledged name is
   * there with the VIP its acknowledgement carried, no name whose write was refused with 503 (not
   * applied) is there, and nothing else is.
   */
  @Test
  @Order(5)
  void killingEveryNodeWhileWritersRunLosesNoAcknowledgedWrite() throws Exception {
    CLUSTER.awaitLeader(WAIT);
    Map<String, String> acked = new ConcurrentHashMap<>();
    Set<String> notApplied = ConcurrentHashMap.newKeySet();
    Set<String> unknown = ConcurrentHashMap.newKeySet();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<NodeProcess> nodes = CLUSTER.nodes();
    // Four writers per node: more than a node keeps in flight (two entries), so its writes also
    // travel grouped.
    ExecutorService pool = Executors.newFixedThreadPool(4 * nodes.size());
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 4 * nodes.size(); w++) {
      NodeProcess via = nodes.get(w % nodes.size());
      String writer = "w" + w;
      writers.add(
          pool.submit(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  String name = writer + "-" + i;
                  NodeProcess.Reply r =
                      via.call("PUT", "/v1/services/crash/" + name, body(6000 + i % 1000));
                  switch (r.status()) {
                    case 200, 201 ->
                        acked.put(
                            "crash/" + name,
                            r.body().get("vip4").asText() + "," + r.body().path("vip6").asText());
                    case 503 -> notApplied.add("crash/" + name);
                    case 504, -1 -> unknown.add("crash/" + name);
                    default -> unexpected.add(name + ": " + r.status() + " " + r.body());
                  }
                }
                return null;
              }));
    }
    try {
      Await.until(WAIT, "60 acknowledged writes while the writers run", () -> acked.size() >= 60);
      System.out.printf(
          "killing every node; so far %d writes acknowledged, %d refused (503), %d unknown%n",
          acked.size(), notApplied.size(), unknown.size());
      for (NodeProcess n : nodes) {
        n.kill9();
      }
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    for (Future<?> w : writers) {
      w.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), unexpected, "answers the contract does not allow for a PUT");
    ACKED.putAll(acked);

    CLUSTER.startAll();
    CLUSTER.awaitLeader(Duration.ofSeconds(60));
    assertEveryLiveNodeAgrees();
    for (NodeProcess n : CLUSTER.alive()) {
      for (String name : TestCluster.vips(n).keySet()) {
        if (name.startsWith("crash/")) {
          assertTrue(
              acked.containsKey(name) || unknown.contains(name),
              n.id()
                  + " holds "
                  + name
                  + (notApplied.contains(name)
                      ? ", whose write was answered 503 (not applied)"
                      : ", never written"));
        }
      }
    }
    assertNothingReplayed();
  }

  /** No node was handed entries again that its store already held when it restarted. */
  private static void assertNothingReplayed() {
    for (NodeProcess n : CLUSTER.alive()) {
      String metrics = n.text("/metrics");
      assertTrue(
          metrics != null && metrics.contains("quorumdns_registry_services"), n.id() + " metrics");
      List<String> outcomes =
          metrics.lines().filter(l -> l.startsWith("quorumdns_registry_outcomes")).toList();
      assertTrue(
          outcomes.stream().noneMatch(l -> l.contains("outcome=\"AlreadyApplied\"")),
          n.id()
              + " was handed entries again that RocksDB already held:\n"
              + String.join("\n", outcomes));
    }
  }
}
