package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.cli.Main;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.vip.VipPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Type;

/**
 * What a cluster promises when it loses quorum, on real node processes: three voters and two
 * listeners added with {@code members add --listener}; with both followers stopped (SIGSTOP) a
 * write answers 504 {@code outcome_unknown} and the CLI exits 3, no write succeeds (the listeners
 * do not count towards quorum), the listeners still answer DNS and a node with no leader stays
 * ready; after the followers resume, the unknown write's fate is read back and every node agrees on
 * it. The listeners are removed and stop by themselves. Last, every voter restarted with other VIP
 * pools and hold-down keeps the cluster's. Steps run in order on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QuorumLossIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VIP4 = "240.18.0.0/16";
  private static final String VIP6 = "fd00:18::/64";

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster(
          "quorum-loss", 180, 3, "--write-timeout", "2s", "--vip-cidr", VIP4, "--vip6-cidr", VIP6);

  /** Names written before quorum was lost: "ns/name" -> "vip4,vip6". */
  private static Map<String, String> written;

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  /** Exit code, stdout, stderr of one CLI command line. */
  private record Run(int code, String out, String err) {}

  private static Run quorumdns(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** id -> "voter" (leader, follower, candidate) or "listener", as {@code n} lists the members. */
  private static Map<String, String> roles(NodeProcess n) {
    JsonNode c = n.cluster();
    if (c == null) {
      return null;
    }
    Map<String, String> out = new TreeMap<>();
    c.path("members")
        .forEach(
            m ->
                out.put(
                    m.path("id").asText(),
                    m.path("role").asText().equals("listener") ? "listener" : "voter"));
    return out;
  }

  /** Every name in {@link #written} answers its VIP in DNS on {@code n}. */
  private static void assertAnswersEveryName(NodeProcess n) {
    for (Map.Entry<String, String> e : written.entrySet()) {
      String[] key = e.getKey().split("/");
      assertEquals(
          "NOERROR " + e.getValue().split(",")[0],
          n.resolve(key[1] + "." + key[0] + ".mesh.internal", Type.A),
          n.id() + " answers " + e.getKey());
    }
  }

  @Test
  @Order(1)
  void listenersAddedWithTheCliReplicateAndAnswerDns() {
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    for (int i = 0; i < 5; i++) {
      Writes.put(leader, "q", "before-" + i, "{}");
    }
    NodeProcess n4 = CLUSTER.addJoiner("--listener");
    NodeProcess n5 = CLUSTER.addJoiner("--listener");
    n4.start();
    n5.start();
    for (NodeProcess l : List.of(n4, n5)) {
      Await.until(WAIT, l.id() + "'s API", () -> l.cluster() != null);
      Run add =
          quorumdns(
              "members",
              "add",
              l.id(),
              l.ip() + ":9053",
              "--listener",
              "--server",
              leader.ip() + ":8053");
      assertEquals(0, add.code(), add.out() + add.err());
    }
    Map<String, String> expected =
        Map.of("n1", "voter", "n2", "voter", "n3", "voter", "n4", "listener", "n5", "listener");
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(WAIT, n.id() + " lists n4 and n5 as listeners", () -> expected.equals(roles(n)));
    }
    Writes.put(n4, "q", "via-listener", "{}");
    written = TestCluster.vips(leader);
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(WAIT, n.id() + " holds every service", () -> written.equals(TestCluster.vips(n)));
    }
    assertAnswersEveryName(n4);
    assertAnswersEveryName(n5);
  }

  @Test
  @Order(2)
  void withBothFollowersStoppedAWriteIsUnknownNoneSucceedsAndListenersStillAnswer()
      throws Exception {
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    List<NodeProcess> followers =
        CLUSTER.alive().stream()
            .filter(n -> n != leader && List.of("n1", "n2", "n3").contains(n.id()))
            .toList();
    assertEquals(2, followers.size(), followers.toString());
    NodeProcess n4 = CLUSTER.node("n4");
    followers.forEach(NodeProcess::pause);
    try {
      CompletableFuture<NodeProcess.Reply> viaListener =
          CompletableFuture.supplyAsync(
              () -> n4.call("PUT", "/v1/services/q/unknown-via-listener", "{}"));
      Run unknown =
          quorumdns("register", "q/unknown", "--server", leader.ip() + ":8053", "-o", "json");
      assertEquals(3, unknown.code(), "exit code on a real 504: " + unknown.out() + unknown.err());
      JsonNode body = JSON.readTree(unknown.out());
      assertEquals("outcome_unknown", body.path("error").asText(), unknown.out());
      NodeProcess.Reply listenerWrite = viaListener.get(30, TimeUnit.SECONDS);
      assertTrue(
          listenerWrite.status() == 503 || listenerWrite.status() == 504,
          "a write through a listener without quorum must not succeed: "
              + listenerWrite.status()
              + " "
              + listenerWrite.body());

      assertAnswersEveryName(n4);
      assertAnswersEveryName(CLUSTER.node("n5"));
      Await.until(
          WAIT,
          "the old leader to have no leader",
          () -> {
            JsonNode c = leader.cluster();
            return c != null && !c.path("leader").isTextual();
          });
      NodeProcess.Reply ready = leader.call("GET", "/readyz", null);
      assertEquals(
          200, ready.status(), leader.id() + " has its state and no leader: " + ready.body());
      assertTrue(
          ready.body().path("reason").asText().contains("no leader"), ready.body().toString());
      NodeProcess.Reply listenerReady = n4.call("GET", "/readyz", null);
      assertEquals(
          200, listenerReady.status(), "the listener without quorum: " + listenerReady.body());
      assertAnswersEveryName(leader);
      NodeProcess.Reply noQuorum = leader.call("PUT", "/v1/services/q/no-quorum", "{}");
      assertEquals(503, noQuorum.status(), "no leader: nothing is sent: " + noQuorum.body());
    } finally {
      followers.forEach(NodeProcess::resume);
    }
  }

  /**
   * "committed" or "not committed", read linearizably through {@code via} once there is a quorum
   * again.
   */
  private static String fate(NodeProcess via, String path) {
    return Await.value(
        WAIT,
        "the fate of " + path,
        () -> {
          NodeProcess.Reply r = via.call("GET", path, null);
          return switch (r.status()) {
            case 200 -> "committed";
            case 404 -> "not committed";
            case 503, 504, -1 -> null;
            default ->
                throw new AssertionError(
                    "GET " + path + " answered " + r.status() + " " + r.body());
          };
        });
  }

  @Test
  @Order(3)
  void afterTheFollowersResumeTheUnknownWritesFateIsReadBackAndEveryNodeAgrees() {
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    for (String path : List.of("/v1/services/q/unknown", "/v1/services/q/unknown-via-listener")) {
      String fate = fate(leader, path);
      System.out.println("the write whose outcome was unknown, " + path + ": " + fate);
      int status = fate.equals("committed") ? 200 : 404;
      for (NodeProcess n : CLUSTER.alive()) {
        Await.until(
            WAIT,
            n.id() + " agrees that " + path + " is " + fate,
            () -> n.call("GET", path + "?stale", null).status() == status);
      }
    }
    assertEquals(
        404,
        leader.call("GET", "/v1/services/q/no-quorum", null).status(),
        "the write answered 503 was not applied");
    Writes.put(leader, "q", "after-resume", "{}");
  }

  @Test
  @Order(4)
  void listenersAreRemovedAndStopByThemselves() {
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    for (String id : List.of("n4", "n5")) {
      Run remove = quorumdns("members", "remove", id, "--server", leader.ip() + ":8053");
      assertEquals(0, remove.code(), remove.out() + remove.err());
      assertEquals(
          0, CLUSTER.node(id).awaitExit(WAIT), id + " removed stops by itself with exit code 0");
    }
    Map<String, String> voters = Map.of("n1", "voter", "n2", "voter", "n3", "voter");
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(WAIT, n.id() + " lists only the voters", () -> voters.equals(roles(n)));
    }
  }

  @Test
  @Order(5)
  void everyVoterRestartedWithOtherVipSettingsKeepsTheClusters() throws IOException {
    NodeProcess before = CLUSTER.awaitLeader(WAIT);
    Map<String, String> held = TestCluster.vips(before);
    for (String id : List.of("n1", "n2", "n3")) {
      CLUSTER.node(id).stop();
    }
    for (String id : List.of("n1", "n2", "n3")) {
      CLUSTER
          .reconfigure(
              id,
              "--vip-cidr",
              "10.180.0.0/16",
              "--vip6-cidr",
              "fd00:180::/64",
              "--vip-hold-down",
              "30m")
          .start();
    }
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    VipPool pool4 = VipPool.parse("vip-cidr", VIP4);
    VipPool pool6 = VipPool.parse("vip6-cidr", VIP6);
    for (NodeProcess n : CLUSTER.alive()) {
      JsonNode settings = n.cluster().path("settings");
      assertEquals(VIP4, settings.path("vipCidr").asText(), n.id() + ": " + settings);
      assertEquals(VIP6, settings.path("vip6Cidr").asText(), n.id() + ": " + settings);
      assertEquals("PT10M", settings.path("vipHoldDown").asText(), n.id() + ": " + settings);
      assertTrue(
          Files.readString(n.log()).contains("differ from the cluster's"),
          n.id() + " warns at start");

      NodeProcess.Reply r = Writes.put(n, "q", "after-restart-via-" + n.id(), "{}");
      String vip4 = r.body().path("vip4").asText();
      String vip6 = r.body().path("vip6").asText();
      assertTrue(
          pool4.contains(IpAddresses.parse("vip4", vip4)),
          "written via " + n.id() + ": " + r.body());
      assertTrue(
          pool6.contains(IpAddresses.parse("vip6", vip6)),
          "written via " + n.id() + ": " + r.body());
      String fqdn = "after-restart-via-" + n.id() + ".q.mesh.internal";
      Await.until(
          WAIT,
          n.id() + " answers " + fqdn,
          () -> n.resolve(fqdn, Type.A).equals("NOERROR " + vip4));
      String ptr = n.resolve(ReverseMap.fromAddress(vip4).toString(), Type.PTR);
      assertEquals("NOERROR " + fqdn + ".", ptr, n.id() + " answers the reverse name of " + vip4);
    }
    assertNotEquals(null, leader);
    Map<String, String> now = TestCluster.vips(leader);
    for (Map.Entry<String, String> e : held.entrySet()) {
      assertEquals(e.getValue(), now.get(e.getKey()), "the VIPs of " + e.getKey());
    }
    assertFalse(now.values().stream().anyMatch(v -> v.startsWith("10.180.")), now.toString());
  }
}
