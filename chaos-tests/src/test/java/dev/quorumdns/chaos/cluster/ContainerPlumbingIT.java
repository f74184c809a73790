package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.client.DnsjavaClient;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.standin.StandInLauncher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The container plumbing with a stand-in process (not the node): a private network, three
 * containers, and each fault changing reachability exactly as intended, then healing.
 */
@Tag("docker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ContainerPlumbingIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(700)).build();
  private final ExecutorService executor = Executors.newFixedThreadPool(3);
  private ChaosCluster cluster;

  @BeforeAll
  void startCluster() {
    cluster =
        ChaosCluster.start(
            3, new StandInLauncher(), StandInLauncher.API_PORT, StandInLauncher.DNS_PORT, executor);
    for (ChaosNode n : cluster.nodes()) {
      Await.until(n.id() + " answering /healthz", DEADLINE, POLL, () -> healthy(n));
    }
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    executor.shutdownNow();
  }

  @AfterEach
  void restoreEveryNode() {
    cluster.heal();
    for (ChaosNode n : cluster.nodes()) {
      if (!healthy(n)) {
        if (n.processAlive()) {
          n.continueProcess();
        } else {
          cluster.startProcess(n);
        }
      }
      Await.until(n.id() + " healthy again", DEADLINE, POLL, () -> healthy(n));
    }
  }

  @Test
  void privateNetworkIsAFullMeshAndDnsIsPublishedOverUdp() {
    assertMatrix(cluster.ids(), "healthy mesh", (a, b) -> true);
    DnsjavaClient dns =
        new DnsjavaClient(
            id -> cluster.node(id).dnsAddress(), "mesh.internal", Duration.ofSeconds(2));
    for (String id : cluster.ids()) {
      Outcome answer = dns.resolve(id, "web/a");
      assertEquals(OpType.OK, answer.type(), id + ": " + answer);
      assertEquals("NXDOMAIN", answer.result());
    }
    assertTrue(
        cluster.addresses().values().stream().distinct().count() == 3, "one address per node");
  }

  @Test
  void killNineEndsTheProcessAndAStartBringsItBack() {
    ChaosNode n1 = cluster.node("n1");
    n1.kill();
    Await.until("n1 process gone", DEADLINE, POLL, () -> !n1.processAlive());
    assertFalse(healthy(n1));
    assertFalse(probe(cluster.node("n2"), n1), "peers cannot reach a killed node");
    cluster.startProcess(n1);
    Await.until("n1 restarted", DEADLINE, POLL, () -> healthy(n1));
    assertTrue(probe(cluster.node("n2"), n1));
  }

  @Test
  void sigstopAndDockerPauseFreezeANodeUntilResumed() {
    ChaosNode n2 = cluster.node("n2");
    n2.stopProcess();
    assertTrue(n2.processAlive(), "a stopped process still exists");
    assertFalse(healthy(n2), "a stopped process answers nothing");
    n2.continueProcess();
    Await.until("n2 continued", DEADLINE, POLL, () -> healthy(n2));

    ChaosNode n3 = cluster.node("n3");
    n3.pauseContainer();
    try {
      assertFalse(healthy(n3), "a paused container answers nothing");
      assertFalse(probe(cluster.node("n1"), n3));
    } finally {
      n3.unpauseContainer();
    }
    Await.until("n3 unpaused", DEADLINE, POLL, () -> healthy(n3));
  }

  @Test
  void isolatingANodeCutsItFromPeersButNotFromClients() {
    Grudge grudge = Grudge.isolate("n1", cluster.ids());
    cluster.partition(grudge);
    assertMatrix(cluster.ids(), "n1 isolated", (a, b) -> !a.equals("n1") && !b.equals("n1"));
    assertTrue(healthy(cluster.node("n1")), "the test's clients still reach an isolated node");
    cluster.heal();
    assertMatrix(cluster.ids(), "healed", (a, b) -> true);
  }

  @Test
  void halvesAndRingCutExactlyWhatTheGrudgeSays() {
    Random random = new Random(20260101L);
    for (Grudge grudge :
        List.of(
            Grudge.halves(cluster.ids(), random), Grudge.majoritiesRing(cluster.ids(), random))) {
      cluster.partition(grudge);
      assertMatrix(
          cluster.ids(),
          grudge.toString(),
          (a, b) ->
              !grudge.drops().getOrDefault(b, java.util.Set.of()).contains(a)
                  && !grudge.drops().getOrDefault(a, java.util.Set.of()).contains(b));
    }
  }

  @Test
  void oneWayPartitionBlocksNewConnectionsInOneDirectionOnly() {
    cluster.partition(Grudge.oneWay("n1", "n2"));
    assertFalse(probe(cluster.node("n1"), cluster.node("n2")), "n1 cannot open connections to n2");
    assertTrue(probe(cluster.node("n2"), cluster.node("n1")), "n2 still reaches n1");
    assertTrue(probe(cluster.node("n1"), cluster.node("n3")));
  }

  /**
   * Ratis keeps its gRPC streams open for the whole run, so a partition that spared open
   * connections would cut nothing between nodes. Streams are opened first, then the cut.
   */
  @Test
  void oneWayAndRingPartitionsCutStreamsThatAreAlreadyOpen() {
    List<String> ids = cluster.ids();
    for (String a : ids) {
      for (String b : ids) {
        if (!a.equals(b)) {
          openStream(a, b);
          assertTrue(echo(a, b, 3000), a + "->" + b + " stream echoes before any cut");
        }
      }
    }
    cluster.partition(Grudge.oneWay("n1", "n2"));
    assertFalse(echo("n1", "n2", 1500), "n1's open stream to n2 is cut by the one-way cut");
    assertTrue(echo("n2", "n1", 3000), "n2's open stream to n1 still works (the cut has a way)");
    assertTrue(echo("n1", "n3", 3000), "n1's stream to n3 is not touched");
    assertTrue(healthy(cluster.node("n2")), "the test's clients still reach n2");
    cluster.heal();
    awaitEcho("n1", "n2");

    Grudge ring = Grudge.majoritiesRing(ids, new Random(20261205L));
    cluster.partition(ring);
    for (String a : ids) {
      for (String b : ids) {
        if (!a.equals(b)) {
          boolean cut =
              ring.drops().getOrDefault(a, Set.of()).contains(b)
                  || ring.drops().getOrDefault(b, Set.of()).contains(a);
          assertEquals(
              !cut,
              echo(a, b, cut ? 1500 : 3000),
              a + "->" + b + " open stream under " + ring + " (cut: " + cut + ")");
        }
      }
    }
    cluster.heal();
    for (String a : ids) {
      for (String b : ids) {
        if (!a.equals(b)) {
          awaitEcho(a, b);
        }
      }
    }
  }

  @Test
  void packetLossDropsAShareOfPacketsAndHealRestoresThem() {
    ChaosNode n1 = cluster.node("n1");
    ChaosNode n2 = cluster.node("n2");
    assertTrue(udpAnswered(n1, n2, 100) >= 95, "before loss");
    cluster.packetLoss(0.5);
    int lossy = udpAnswered(n1, n2, 100);
    assertTrue(
        lossy >= 5 && lossy <= 60,
        "with 50% loss at each end about a quarter get through, got " + lossy);
    cluster.heal();
    assertTrue(udpAnswered(n1, n2, 100) >= 95, "after heal");
  }

  private interface Expectation {
    boolean reachable(String from, String to);
  }

  private void assertMatrix(List<String> ids, String what, Expectation expected) {
    StringBuilder wrong = new StringBuilder();
    for (String a : ids) {
      for (String b : ids) {
        if (!a.equals(b) && probe(cluster.node(a), cluster.node(b)) != expected.reachable(a, b)) {
          wrong
              .append(' ')
              .append(a)
              .append("->")
              .append(b)
              .append(expected.reachable(a, b) ? " blocked" : " open");
        }
      }
    }
    assertEquals("", wrong.toString(), what);
  }

  private boolean healthy(ChaosNode n) {
    return get(n.apiUri().resolve("/healthz"), Duration.ofMillis(800)) == 200;
  }

  private boolean probe(ChaosNode from, ChaosNode to) {
    return get(
            from.apiUri().resolve("/probe?to=" + to.ip() + ":" + StandInLauncher.API_PORT),
            Duration.ofSeconds(4))
        == 200;
  }

  private void openStream(String from, String to) {
    int status =
        get(
            cluster
                .node(from)
                .apiUri()
                .resolve("/stream-open?to=" + cluster.node(to).ip() + "&key=" + from + "-" + to),
            Duration.ofSeconds(5));
    assertEquals(200, status, "stream " + from + "->" + to + " opened");
  }

  /** One numbered byte over the open stream from {@code from} to {@code to}, echoed in time? */
  private boolean echo(String from, String to, long timeoutMillis) {
    return get(
            cluster
                .node(from)
                .apiUri()
                .resolve("/stream-echo?key=" + from + "-" + to + "&timeoutMs=" + timeoutMillis),
            Duration.ofMillis(timeoutMillis + 3000))
        == 200;
  }

  /**
   * After a heal the same open stream works again: TCP retransmits what the cut held back (its
   * back-off after a few seconds' cut is a few seconds, hence the deadline).
   */
  private void awaitEcho(String from, String to) {
    Await.until(
        "open stream " + from + "->" + to + " echoing again after heal",
        Duration.ofSeconds(45),
        POLL,
        () -> echo(from, to, 2000));
  }

  private int udpAnswered(ChaosNode from, ChaosNode to, int count) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      from.apiUri()
                          .resolve(
                              "/udp-probe?to="
                                  + to.ip()
                                  + ":"
                                  + StandInLauncher.DNS_PORT
                                  + "&count="
                                  + count
                                  + "&timeoutMs=100"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Integer.parseInt(r.body().trim());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private int get(URI uri, Duration timeout) {
    try {
      return http.send(
              HttpRequest.newBuilder(uri).timeout(timeout).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
