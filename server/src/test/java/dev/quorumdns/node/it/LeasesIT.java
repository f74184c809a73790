package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.registry.IpAddresses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

/**
 * Leases, endpoint health and headless services on a 3-node cluster of real processes: headless
 * answers follow endpoint health on every node; a lease left alone expires within its TTL plus one
 * election timeout (never before its TTL), taking its endpoint and leaving the service and its VIP;
 * a lease kept alive through followers survives two leader kills and a kill of every node, with no
 * keepalive ever refused; keepalives write nothing to the log. The steps build on each other and
 * run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LeasesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long TTL_MILLIS = 5_000;
  private static final long ELECTION_TIMEOUT_MILLIS = 1_000;

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster("leases", 160, 3, "--election-timeout", ELECTION_TIMEOUT_MILLIS + "ms");

  private static final List<String> REFUSED_KEEPALIVES =
      Collections.synchronizedList(new ArrayList<>());
  private static final AtomicInteger KEEPALIVES = new AtomicInteger();
  private static ScheduledExecutorService keeper;
  private static String kept;
  private static String vip4;
  private static String vip6;

  @AfterAll
  static void stop() {
    if (keeper != null) {
      keeper.shutdownNow();
    }
    CLUSTER.close();
  }

  private static NodeProcess.Reply write(NodeProcess via, String method, String path, String body) {
    return Await.value(
        WAIT,
        method + " " + path + " via " + via.id(),
        () -> {
          NodeProcess.Reply r = via.call(method, path, body);
          return r.status() >= 200 && r.status() < 300 ? r : null;
        });
  }

  /**
   * Waits until every live node answers {@code name} with {@code expected} (rcode, then sorted
   * records).
   */
  private static void everyNodeResolves(String name, int type, String expected) {
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(
          WAIT,
          n.id() + " resolves " + name + " " + Type.string(type) + " to '" + expected + "'",
          () -> expected.equals(canonical(n.resolve(name, type))));
    }
  }

  /** An answer with its IPv6 addresses printed canonically (the resolver prints them in full). */
  private static String canonical(String answer) {
    List<String> out = new ArrayList<>();
    for (String token : answer.split(" ")) {
      out.add(
          token.contains(":") && !token.endsWith(".")
              ? IpAddresses.format(IpAddresses.parse("a", token))
              : token);
    }
    return String.join(" ", out);
  }

  private static void health(NodeProcess via, String endpoint, String health) {
    write(
        via,
        "PUT",
        "/v1/services/data/db/endpoints/" + endpoint + "/health",
        "{\"health\":\"" + health + "\"}");
  }

  private static String grant(NodeProcess via) {
    return write(via, "POST", "/v1/leases", "{\"ttl\":\"" + TTL_MILLIS / 1000 + "s\"}")
        .body()
        .get("id")
        .asText();
  }

  /** The endpoint addresses of shop/web as {@code n} holds it locally. */
  private static List<String> endpoints(NodeProcess n) {
    NodeProcess.Reply r = n.call("GET", "/v1/services/shop/web?stale", null);
    if (r.status() != 200) {
      return null;
    }
    List<String> out = new ArrayList<>();
    r.body().get("endpoints").forEach(e -> out.add(e.get("address").asText()));
    return out;
  }

  @Test
  @Order(1)
  void headlessAnswersFollowEndpointHealthOnEveryNode() {
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    NodeProcess follower = CLUSTER.anyFollower(leader).orElseThrow();
    NodeProcess.Reply created =
        write(
            follower,
            "PUT",
            "/v1/services/data/db",
            "{\"headless\":true,"
                + "\"ports\":[{\"name\":\"pg\",\"protocol\":\"tcp\",\"port\":5432}],"
                + "\"endpoints\":[{\"address\":\"10.16.0.1\"},{\"address\":\"10.16.0.2\"},{\"address\":\"fd16::1\"}]}");
    assertTrue(
        created.body().get("vip4").isNull(), "a headless service has no VIP: " + created.body());
    everyNodeResolves("db.data.mesh.internal", Type.A, "NOERROR 10.16.0.1 10.16.0.2");
    everyNodeResolves("db.data.mesh.internal", Type.AAAA, "NOERROR fd16::1");

    health(follower, "10.16.0.2", "critical");
    everyNodeResolves("db.data.mesh.internal", Type.A, "NOERROR 10.16.0.1");
    everyNodeResolves(
        "_pg._tcp.db.data.mesh.internal",
        Type.SRV,
        "NOERROR 0 100 5432 10-16-0-1.db.data.mesh.internal."
            + " 0 100 5432 fd16-0000-0000-0000-0000-0000-0000-0001.db.data.mesh.internal.");
    everyNodeResolves("10-16-0-2.db.data.mesh.internal", Type.A, "NOERROR 10.16.0.2");
    health(leader, "10.16.0.2", "warning");
    everyNodeResolves("db.data.mesh.internal", Type.A, "NOERROR 10.16.0.1 10.16.0.2");
    health(follower, "10.16.0.1", "critical");
    health(follower, "10.16.0.2", "critical");
    everyNodeResolves("db.data.mesh.internal", Type.A, "NOERROR");
    everyNodeResolves("db.data.mesh.internal", Type.AAAA, "NOERROR fd16::1");
    health(leader, "10.16.0.1", "passing");
    everyNodeResolves("db.data.mesh.internal", Type.A, "NOERROR 10.16.0.1");

    NodeProcess.Reply missing =
        follower.call(
            "PUT", "/v1/services/data/db/endpoints/10.16.0.9/health", "{\"health\":\"critical\"}");
    assertEquals(404, missing.status(), missing.body().toString());
    assertEquals("endpoint", missing.body().get("field").asText());
    NodeProcess.Reply toVip = follower.call("PUT", "/v1/services/data/db", "{\"endpoints\":[]}");
    assertEquals(409, toVip.status(), toVip.body().toString());
    assertEquals("headless", toVip.body().get("field").asText());
  }

  @Test
  @Order(2)
  void aLeaseLeftAloneExpiresWithinItsTtlAndAnElectionTimeoutAndTakesOnlyItsEndpoint() {
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    NodeProcess follower = CLUSTER.anyFollower(leader).orElseThrow();
    kept = grant(follower);
    long sent = System.nanoTime();
    String abandoned = grant(follower);
    long acknowledged = System.nanoTime();
    startKeepingAlive(kept);
    NodeProcess.Reply web =
        write(
            follower,
            "PUT",
            "/v1/services/shop/web",
            "{"
                + "\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}],\"endpoints\":["
                + "{\"address\":\"10.17.0.1\",\"lease\":\""
                + kept
                + "\"},"
                + "{\"address\":\"10.17.0.2\",\"lease\":\""
                + abandoned
                + "\"},"
                + "{\"address\":\"10.17.0.3\"}]}");
    vip4 = web.body().get("vip4").asText();
    vip6 = web.body().get("vip6").asText();

    // Watched on a follower: the endpoint leaves when the expiry entry is applied there.
    Await.until(
        WAIT,
        "the abandoned lease's endpoint leaves shop/web",
        () -> !endpoints(follower).contains("10.17.0.2"));
    long gone = System.nanoTime();
    long afterSent = (gone - sent) / 1_000_000;
    long afterAck = (gone - acknowledged) / 1_000_000;
    System.out.printf(
        "abandoned lease %s: endpoint gone %d ms after the grant was sent, %d ms after it was "
            + "acknowledged (ttl %d ms, election timeout %d ms)%n",
        abandoned, afterSent, afterAck, TTL_MILLIS, ELECTION_TIMEOUT_MILLIS);
    assertTrue(
        afterSent >= TTL_MILLIS,
        "expired " + afterSent + " ms after the grant was sent: before its TTL");
    assertTrue(
        afterAck <= TTL_MILLIS + ELECTION_TIMEOUT_MILLIS,
        "expired "
            + afterAck
            + " ms after the grant was acknowledged: later than ttl + one election timeout");

    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(
          WAIT,
          n.id() + " holds shop/web with the other two endpoints",
          () -> List.of("10.17.0.1", "10.17.0.3").equals(endpoints(n)));
      JsonNode s = n.call("GET", "/v1/services/shop/web?stale", null).body();
      assertEquals(vip4, s.get("vip4").asText(), n.id() + ": the service keeps its VIP");
      assertEquals(vip6, s.get("vip6").asText());
      assertEquals("NOERROR " + vip4, n.resolve("web.shop.mesh.internal", Type.A), n.id());
    }
    NodeProcess.Reply status = follower.call("GET", "/v1/leases/" + abandoned, null);
    assertEquals(404, status.status(), status.body().toString());
    NodeProcess.Reply named =
        follower.call(
            "PUT",
            "/v1/services/shop/other",
            "{\"endpoints\":[{\"address\":" + "\"10.17.0.9\",\"lease\":\"" + abandoned + "\"}]}");
    assertEquals(400, named.status(), "an endpoint cannot name an expired lease: " + named.body());
    assertEquals("endpoints[0].lease", named.body().get("field").asText());
    assertEquals(
        404,
        follower.call("GET", "/v1/services/shop/other?stale", null).status(),
        "nothing changed");
    NodeProcess.Reply shortTtl = follower.call("POST", "/v1/leases", "{\"ttl\":\"4s\"}");
    assertEquals(400, shortTtl.status(), shortTtl.body().toString());
    assertEquals("ttl", shortTtl.body().get("field").asText());
    NodeProcess.Reply late = follower.call("PUT", "/v1/leases/" + abandoned + "/keepalive", null);
    assertEquals(404, late.status(), "an expired lease cannot be kept alive: " + late.body());
    assertEquals("lease", late.body().get("field").asText());
  }

  @Test
  @Order(3)
  void keepalivesWriteNothingToTheLog() {
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    long before = leader.cluster().get("commitIndex").asLong();
    int sent = KEEPALIVES.get();
    Await.until(WAIT, "five more keepalives", () -> KEEPALIVES.get() >= sent + 5);
    long after = leader.cluster().get("commitIndex").asLong();
    assertEquals(before, after, "keepalives went to the leader without log entries");
    NodeProcess.Reply status =
        CLUSTER.anyFollower(leader).orElseThrow().call("GET", "/v1/leases/" + kept, null);
    assertEquals(200, status.status(), status.body().toString());
    long remaining = status.body().get("remainingMillis").asLong();
    assertTrue(remaining > 0 && remaining <= TTL_MILLIS, "remaining " + remaining);
  }

  @Test
  @Order(4)
  void aLeaseKeptAliveSurvivesTwoLeaderKillsAndARestartOfEveryNode() {
    String abandoned = grant(CLUSTER.awaitLeader(WAIT));
    for (int kill = 1; kill <= 2; kill++) {
      NodeProcess leader = CLUSTER.awaitLeader(WAIT);
      leader.kill9();
      NodeProcess next = CLUSTER.awaitLeader(WAIT);
      System.out.printf("leader kill %d: %s killed, %s leads%n", kill, leader.id(), next.id());
      keptAliveForTwoTtls("under " + next.id());
      leader.start();
      CLUSTER.awaitLeader(WAIT);
    }
    for (NodeProcess n : CLUSTER.nodes()) {
      n.kill9();
    }
    CLUSTER.startAll();
    CLUSTER.awaitLeader(Duration.ofSeconds(60));
    keptAliveForTwoTtls("after every node was killed and restarted");

    assertEquals(List.of(), REFUSED_KEEPALIVES, "no keepalive of the kept lease was ever refused");
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(
          WAIT,
          n.id() + " holds the kept lease's endpoint",
          () -> List.of("10.17.0.1", "10.17.0.3").equals(endpoints(n)));
      assertEquals(
          vip4, n.call("GET", "/v1/services/shop/web?stale", null).body().get("vip4").asText());
    }
    NodeProcess.Reply status = CLUSTER.alive().get(0).call("GET", "/v1/leases/" + kept, null);
    assertEquals(200, status.status(), "the kept lease is live: " + status.body());
    // The lease granted before the kills and never renewed ran out under one of the leaders since.
    Await.until(
        WAIT,
        "the abandoned lease expired",
        () -> CLUSTER.alive().get(0).call("GET", "/v1/leases/" + abandoned, null).status() == 404);
    System.out.printf("%d keepalives sent through followers and leaders alike%n", KEEPALIVES.get());
  }

  /**
   * Waits until ten more keepalives (one every TTL/5) were answered: two TTLs of the lease kept
   * alive.
   */
  private static void keptAliveForTwoTtls(String when) {
    int sent = KEEPALIVES.get();
    Await.until(
        Duration.ofMillis(10 * TTL_MILLIS),
        "ten keepalives answered " + when,
        () -> {
          assertEquals(
              List.of(), REFUSED_KEEPALIVES, "keepalives of the kept lease refused " + when);
          return KEEPALIVES.get() >= sent + 10;
        });
  }

  /**
   * Keeps {@code id} alive every TTL/5 through the live nodes in turn, each request to the next
   * node that answers; a node that is down or has no leader is skipped, and a 404 (the lease is
   * gone) is recorded.
   */
  private static void startKeepingAlive(String id) {
    keeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "it-keepalive");
              t.setDaemon(true);
              return t;
            });
    AtomicInteger turn = new AtomicInteger();
    keeper.scheduleAtFixedRate(
        () -> {
          List<NodeProcess> nodes = CLUSTER.nodes();
          for (int i = 0; i < nodes.size(); i++) {
            NodeProcess n = nodes.get(Math.floorMod(turn.getAndIncrement(), nodes.size()));
            if (!n.isAlive()) {
              continue;
            }
            long t0 = System.nanoTime();
            NodeProcess.Reply r = n.call("PUT", "/v1/leases/" + id + "/keepalive", null);
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            if (r.status() != 200 || tookMillis > TTL_MILLIS / 5) {
              // What a failure needs explained: which node kept the keepalive waiting, and why.
              System.out.printf(
                  "%s keepalive via %s: %d in %d ms %s%n",
                  Instant.now(), n.id(), r.status(), tookMillis, r.body());
            }
            if (r.status() == 200) {
              KEEPALIVES.incrementAndGet();
              return;
            }
            if (r.status() == 404) {
              REFUSED_KEEPALIVES.add(n.id() + ": " + r.body());
              return;
            }
          }
        },
        0,
        TTL_MILLIS / 5,
        TimeUnit.MILLISECONDS);
  }
}
