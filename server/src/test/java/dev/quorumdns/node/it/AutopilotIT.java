package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.cli.CertificateIssuer;
import dev.quorumdns.cli.CertsCommand;
import dev.quorumdns.registry.state.Snapshots;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A cluster that forms and heals itself, with mutual TLS on the API and Raft (so discovery and
 * joining go over TLS too) and the plain metrics listener: three nodes bootstrap, a fourth and
 * fifth join as listeners and are promoted together, a killed voter is removed after {@code
 * autopilot-dead-after} (6 s here) while writes go on, every member restarted keeps the same
 * cluster, and the removed one, restarted with its data, joins again. Steps run in order on one
 * cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AutopilotIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int SUBNET = 145;
  private static final Path BASE = Path.of("target", "it", "autopilot").toAbsolutePath();
  private static final Path CERTS = BASE.resolve("certs");
  private static final List<NodeProcess> NODES = new ArrayList<>();
  private static final HttpClient PLAIN =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static TlsProbe admin;
  private static String killed;

  @RegisterExtension
  static final TestWatcher LOGS =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          for (NodeProcess n : NODES) {
            System.err.println(
                "----- " + n.id() + " (" + n.log() + "), last 60 lines -----\n" + n.tail(60));
          }
        }
      };

  static String ip(int i) {
    return "127.0." + SUBNET + "." + (10 + i);
  }

  @BeforeAll
  static void certificates() throws Exception {
    Snapshots.deleteTree(BASE);
    Map<String, List<String>> nodes = new LinkedHashMap<>();
    for (int i = 1; i <= 5; i++) {
      nodes.put("n" + i, List.of(ip(i), "n" + i));
    }
    CertsCommand.issue(
        new CertsCommand.Request(CERTS, nodes, List.of("admin"), 2),
        new CertificateIssuer(Clock.systemUTC(), TlsClusterIT.seeded(145)));
    admin =
        new TlsProbe(
            CERTS.resolve("ca.pem"), CERTS.resolve("admin.pem"), CERTS.resolve("admin-key.pem"));
    for (int i = 1; i <= 5; i++) {
      String id = "n" + i;
      NODES.add(
          new NodeProcess(
              id,
              ip(i),
              BASE.resolve(id),
              List.of(
                  "--id",
                  id,
                  "--data-dir",
                  BASE.resolve(id).toString(),
                  "--bind",
                  ip(i),
                  "--bootstrap-expect",
                  "3",
                  "--retry-join",
                  ip(1) + "," + ip(2) + "," + ip(3),
                  "--autopilot-stabilization",
                  "2s",
                  "--autopilot-dead-after",
                  "6s",
                  "--metrics-addr",
                  ip(i) + ":8054",
                  "--tls-cert",
                  CERTS.resolve(id + ".pem").toString(),
                  "--tls-key",
                  CERTS.resolve(id + "-key.pem").toString(),
                  "--tls-ca",
                  CERTS.resolve("ca.pem").toString())));
    }
  }

  @AfterAll
  static void stop() {
    NODES.forEach(NodeProcess::kill9);
  }

  private static NodeProcess node(String id) {
    return NODES.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /** id to role as {@code n} sees the members, or null if it cannot say. */
  private static Map<String, String> roles(NodeProcess n) {
    JsonNode c = admin.cluster(n.ip());
    if (c == null || !c.path("leader").isTextual()) {
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

  /**
   * Waits until every running node shows {@code expected} (id to voter/listener) and the same
   * leader.
   */
  private static JsonNode awaitMembers(Map<String, String> expected) {
    return Await.value(
        WAIT,
        "members " + expected + " on every running node",
        () -> {
          String leader = null;
          for (NodeProcess n : NODES) {
            if (!n.isAlive()) {
              continue;
            }
            JsonNode c = admin.cluster(n.ip());
            if (c == null
                || !expected.equals(roles(n))
                || (leader != null && !leader.equals(c.path("leader").asText()))) {
              return null;
            }
            leader = c.path("leader").asText();
          }
          return admin.cluster(node(leader).ip());
        });
  }

  private static int write(String name) {
    return Await.value(
        WAIT,
        "PUT team/" + name,
        () -> {
          for (NodeProcess n : NODES) {
            if (n.isAlive()) {
              try {
                int s = admin.call(n.ip(), "PUT", "/v1/services/team/" + name, "{}").status();
                if (s == 200 || s == 201) {
                  return s;
                }
              } catch (IOException e) {
                // try the next node
              }
            }
          }
          return null;
        });
  }

  @Test
  @Order(1)
  void threeNodesBootstrapOverTls() {
    NODES.subList(0, 3).forEach(NodeProcess::start);
    awaitMembers(Map.of("n1", "voter", "n2", "voter", "n3", "voter"));
    write("before");
  }

  @Test
  @Order(2)
  void probesAndPrometheusNeedNoClientCertificateOnTheMetricsListener() throws Exception {
    HttpResponse<String> metrics =
        PLAIN.send(
            HttpRequest.newBuilder(URI.create("http://" + ip(1) + ":8054/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(
        metrics.body().contains("quorumdns_raft_term"), "Prometheus text with the Raft gauges");
    for (String path : List.of("/healthz", "/readyz")) {
      assertEquals(
          200,
          PLAIN
              .send(
                  HttpRequest.newBuilder(URI.create("http://" + ip(1) + ":8054" + path)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          path);
    }
    assertEquals(
        404,
        PLAIN
            .send(
                HttpRequest.newBuilder(URI.create("http://" + ip(1) + ":8054/v1/cluster")).build(),
                HttpResponse.BodyHandlers.ofString())
            .statusCode(),
        "only health and metrics on the plain listener");
    assertThrows(
        IOException.class,
        () ->
            PLAIN.send(
                HttpRequest.newBuilder(URI.create("http://" + ip(1) + ":8053/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()),
        "control: the API itself is HTTPS only");
  }

  @Test
  @Order(3)
  void aFourthAndFifthJoinAsListenersAndArePromotedTogether() {
    node("n4").start();
    Await.until(
        WAIT,
        "n4 to join as a listener",
        () -> "listener".equals(roles(node("n1")) == null ? null : roles(node("n1")).get("n4")));
    node("n5").start();
    JsonNode c =
        awaitMembers(
            Map.of("n1", "voter", "n2", "voter", "n3", "voter", "n4", "voter", "n5", "voter"));
    assertTrue(
        c.path("autopilot").path("lastAction").asText().contains("promoting n4 and n5"),
        c.toString());
    for (JsonNode m : c.path("members")) {
      assertTrue(m.path("healthy").asBoolean(), "the leader reports each member's health: " + m);
      assertTrue(
          m.has("lastContactMs") && m.has("logLag") && m.path("autopilot").isTextual(),
          m.toString());
    }
  }

  @Test
  @Order(4)
  void aKilledVoterIsRemovedAfterDeadAfterAndTheClusterKeepsQuorum() {
    JsonNode before =
        awaitMembers(
            Map.of("n1", "voter", "n2", "voter", "n3", "voter", "n4", "voter", "n5", "voter"));
    String leader = before.path("leader").asText();
    killed =
        NODES.stream()
            .map(NodeProcess::id)
            .filter(id -> !id.equals(leader))
            .reduce((a, b) -> b)
            .orElseThrow();
    node(killed).kill9();
    write("while-" + killed + "-is-down");
    JsonNode after =
        Await.value(
            WAIT,
            killed + " removed and the voters odd again",
            () -> {
              JsonNode c = admin.cluster(node(leader).ip());
              if (c == null) {
                return null;
              }
              int voters = 0;
              for (JsonNode m : c.path("members")) {
                if (m.path("id").asText().equals(killed)) {
                  return null;
                }
                voters += m.path("role").asText().equals("listener") ? 0 : 1;
              }
              return voters == 3 ? c : null;
            });
    assertEquals(4, after.path("members").size(), after.toString());
    write("after-removal");
  }

  @Test
  @Order(5)
  void restartingEveryMemberKeepsTheSameCluster() throws Exception {
    Map<String, String> members =
        roles(node(NODES.stream().filter(NodeProcess::isAlive).findFirst().orElseThrow().id()));
    Map<String, String> markers = new TreeMap<>();
    for (NodeProcess n : NODES) {
      if (n.isAlive()) {
        markers.put(n.id(), Files.readString(n.dir().resolve("formation.json")));
        n.kill9();
      }
    }
    markers.keySet().forEach(id -> node(id).start());
    awaitMembers(members);
    for (Map.Entry<String, String> e : markers.entrySet()) {
      assertEquals(
          e.getValue(),
          Files.readString(node(e.getKey()).dir().resolve("formation.json")),
          e.getKey());
    }
    Await.until(
        WAIT,
        "the writes made before the restart",
        () -> {
          try {
            return admin.call(ip(1), "GET", "/v1/services/team/after-removal", null).status() == 200
                && admin.call(ip(1), "GET", "/v1/services/team/before", null).status() == 200;
          } catch (IOException e) {
            return false;
          }
        });
  }

  @Test
  @Order(6)
  void theRemovedMemberRestartedWithItsDataJoinsAgain() {
    assertNotEquals(null, killed);
    node(killed).start();
    awaitMembers(Map.of("n1", "voter", "n2", "voter", "n3", "voter", "n4", "voter", "n5", "voter"));
    Await.until(
        WAIT,
        killed + " to log that it joined again",
        () -> node(killed).tail(400).contains("no longer lists this node"));
  }
}
