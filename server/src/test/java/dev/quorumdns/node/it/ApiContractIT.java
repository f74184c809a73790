package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

/**
 * Every bad input of docs/architecture.md gets its status, error code and field, and changes
 * nothing (checked by reading the registry back). Runs against a real 3-node cluster with a bearer
 * token and small VIP pools.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ApiContractIT {
  private static final String TOKEN = "it-secret-token";
  private static final String AUTH = "Bearer " + TOKEN;
  private static final Path TOKEN_FILE =
      Path.of("target", "it", "api-contract.token").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster(
          "api-contract",
          2,
          3,
          "--vip-cidr",
          "240.10.0.0/29",
          "--vip6-cidr",
          "fd00:aa::/125",
          "--api-token-file",
          TOKEN_FILE.toString());

  private static NodeProcess node;

  @BeforeAll
  static void start() throws IOException {
    Files.createDirectories(TOKEN_FILE.getParent());
    Files.writeString(TOKEN_FILE, TOKEN + "\n");
    Files.setPosixFilePermissions(TOKEN_FILE, PosixFilePermissions.fromString("rw-------"));
    CLUSTER.startAll();
    node = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    // Nodes publish their addresses into the registry once; wait so the revision stays still from
    // here on.
    Await.until(
        WAIT,
        "every member's node record",
        () -> {
          JsonNode c = node.cluster();
          if (c == null || c.path("members").size() != 3) {
            return false;
          }
          for (JsonNode m : c.get("members")) {
            if (!m.path("api").isTextual()) {
              return false;
            }
          }
          return true;
        });
    NodeProcess.Reply r =
        put(
            "prod",
            "web",
            "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}],"
                + "\"vip4\":\"240.10.0.3\"}");
    assertEquals(201, r.status(), r.body().toString());
  }

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static NodeProcess.Reply put(String ns, String name, String body) {
    return Await.value(
        WAIT,
        "an answer to PUT " + ns + "/" + name,
        () -> {
          NodeProcess.Reply r = node.call("PUT", "/v1/services/" + ns + "/" + name, body, AUTH);
          return r.status() == 503 && "not_initialized".equals(r.body().path("error").asText())
              ? null
              : r;
        });
  }

  /** The whole registry as a linearizable read returns it. */
  private static JsonNode snapshot() {
    NodeProcess.Reply r = node.call("GET", "/v1/services", null);
    assertEquals(200, r.status(), r.body().toString());
    return r.body();
  }

  private static void assertError(NodeProcess.Reply r, int status, String code, String field) {
    assertEquals(status, r.status(), "status of " + r.body());
    assertEquals(code, r.body().path("error").asText(), "error code of " + r.body());
    if (field != null) {
      assertEquals(field, r.body().path("field").asText(), "field of " + r.body());
    }
    assertNotNull(r.body().path("message").textValue(), "message of " + r.body());
  }

  static Stream<Arguments> badServiceBodies() {
    String tooManyLabels =
        "{\"labels\":{"
            + String.join(
                ",", IntStream.range(0, 65).mapToObj(i -> "\"k" + i + "\":\"v\"").toList())
            + "}}";
    return Stream.of(
        Arguments.of("prod", "Bad_Name", "{}", "name"),
        Arguments.of("-prod", "web2", "{}", "namespace"),
        Arguments.of("node", "web2", "{}", "namespace"),
        Arguments.of("prod", "x".repeat(64), "{}", "name"),
        Arguments.of("prod", "web2", "not json", "body"),
        Arguments.of("prod", "web2", "[1,2]", "body"),
        Arguments.of("prod", "web2", "{\"ports\":[],\"ports\":[]}", "body"),
        Arguments.of("prod", "web2", "{\"portz\":[]}", "portz"),
        Arguments.of("prod", "web2", "{\"ports\":{}}", "ports"),
        Arguments.of("prod", "web2", "{\"ports\":[{\"name\":\"h\",\"port\":0}]}", "ports[0].port"),
        Arguments.of(
            "prod", "web2", "{\"ports\":[{\"name\":\"h\",\"port\":70000}]}", "ports[0].port"),
        Arguments.of(
            "prod", "web2", "{\"ports\":[{\"name\":\"h\",\"port\":\"80\"}]}", "ports[0].port"),
        Arguments.of(
            "prod",
            "web2",
            "{\"ports\":[{\"name\":\"h\",\"protocol\":\"sctp\",\"port\":80}]}",
            "ports[0].protocol"),
        Arguments.of(
            "prod", "web2", "{\"ports\":[{\"name\":\"H_1\",\"port\":80}]}", "ports[0].name"),
        Arguments.of(
            "prod",
            "web2",
            "{\"ports\":[{\"name\":\"h\",\"port\":80},{\"name\":\"h\",\"port\":81}]}",
            "ports[1].name"),
        Arguments.of(
            "prod",
            "web2",
            "{\"endpoints\":[{\"address\":\"not an address!\"}]}",
            "endpoints[0].address"),
        Arguments.of(
            "prod",
            "web2",
            "{\"endpoints\":[{\"address\":\"10.0.0.1\",\"weight\":-1}]}",
            "endpoints[0].weight"),
        Arguments.of("prod", "web2", tooManyLabels, "labels"),
        Arguments.of("prod", "web2", "{\"labels\":{\"k\":1}}", "labels.k"),
        Arguments.of("prod", "web2", "{\"vip4\":\"10.0.0.1\"}", "vip4"),
        Arguments.of("prod", "web2", "{\"vip4\":\"240.10.0.0\"}", "vip4"),
        Arguments.of("prod", "web2", "{\"vip4\":\"240.10.0.7\"}", "vip4"),
        Arguments.of("prod", "web2", "{\"vip4\":\"fd00:aa::1\"}", "vip4"),
        Arguments.of("prod", "web2", "{\"vip6\":\"zz::1\"}", "vip6"),
        Arguments.of("prod", "web2", "{\"vip6\":\"fd00:bb::1\"}", "vip6"));
  }

  @ParameterizedTest(name = "PUT {0}/{1} {2} -> 400 naming {3}")
  @MethodSource("badServiceBodies")
  @Order(1)
  void badInputIsRefusedNamingTheFieldAndChangesNothing(
      String ns, String name, String body, String field) {
    JsonNode before = snapshot();
    assertError(
        node.call("PUT", "/v1/services/" + ns + "/" + name, body, AUTH), 400, "invalid", field);
    assertEquals(before, snapshot());
  }

  @Test
  @Order(2)
  void writesNeedTheBearerToken() {
    JsonNode before = snapshot();
    String body = "{\"ports\":[{\"name\":\"http\",\"port\":80}]}";
    assertError(node.call("PUT", "/v1/services/prod/api", body), 401, "unauthorized", null);
    assertError(
        node.call("PUT", "/v1/services/prod/api", body, "Bearer wrong"), 401, "unauthorized", null);
    assertError(node.call("DELETE", "/v1/services/prod/web", null), 401, "unauthorized", null);
    assertError(
        node.call("POST", "/v1/cluster/members", "{\"id\":\"n9\",\"raft\":\"127.0.2.99:9053\"}"),
        401,
        "unauthorized",
        null);
    assertEquals(before, snapshot());
    assertEquals(
        200, node.call("GET", "/v1/services/prod/web", null).status(), "reads need no token");
  }

  @Test
  @Order(3)
  void oversizedBodyIs413() {
    JsonNode before = snapshot();
    String huge = "{\"labels\":{\"k\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}";
    assertError(node.call("PUT", "/v1/services/prod/big", huge, AUTH), 413, "too_large", "body");
    assertEquals(before, snapshot());
  }

  @Test
  @Order(4)
  void missingThingsAre404AndWrongMethods405() {
    assertError(node.call("GET", "/v1/services/prod/missing", null), 404, "not_found", null);
    assertError(node.call("GET", "/v1/services/prod/missing?stale", null), 404, "not_found", null);
    assertError(
        node.call("DELETE", "/v1/services/prod/missing", null, AUTH), 404, "not_found", null);
    assertError(node.call("GET", "/v1/nothing-here", null), 404, "not_found", null);
    assertError(
        node.call("POST", "/v1/services/prod/web", "{}", AUTH), 405, "method_not_allowed", null);
  }

  @Test
  @Order(5)
  void vipConflictsAre409AndChangeNothing() {
    JsonNode before = snapshot();
    assertError(put("prod", "other", "{\"vip4\":\"240.10.0.3\"}"), 409, "conflict", "vip4");
    assertError(
        put(
            "prod",
            "web",
            "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}],"
                + "\"vip4\":\"240.10.0.4\"}"),
        409,
        "conflict",
        "vip4");
    assertEquals(before, snapshot());
  }

  @Test
  @Order(6)
  void theSameBodyAgainChangesNothing() {
    JsonNode before = snapshot();
    NodeProcess.Reply r =
        put("prod", "web", "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}]}");
    assertEquals(200, r.status(), r.body().toString());
    assertEquals("240.10.0.3", r.body().get("vip4").asText());
    assertEquals(before, snapshot());
  }

  @Test
  @Order(7)
  void exhaustedPoolIs409AndChangesNothing() {
    // 240.10.0.0/29 hands out .1 to .6; web holds .3.
    for (int i = 1; i <= 5; i++) {
      assertEquals(201, put("fill", "s" + i, "{}").status());
    }
    JsonNode before = snapshot();
    assertError(put("fill", "s6", "{}"), 409, "pool_exhausted", "vip4");
    assertEquals(before, snapshot());
    String batch =
        "{\"operations\":[{\"op\":\"delete\",\"namespace\":\"fill\",\"name\":\"s1\"},"
            + "{\"op\":\"put\",\"namespace\":\"fill\",\"name\":\"s7\",\"service\":{}}]}";
    NodeProcess.Reply refused = node.call("POST", "/v1/batch", batch, AUTH);
    assertError(refused, 409, "pool_exhausted", "operations[1].vip4");
    assertEquals(before, snapshot());
  }

  @Test
  @Order(8)
  void aReleasedVipIsHeldForItsOwner() {
    String vip = node.call("GET", "/v1/services/fill/s1", null).body().get("vip4").asText();
    assertEquals(200, node.call("DELETE", "/v1/services/fill/s1", null, AUTH).status());
    JsonNode before = snapshot();
    assertError(put("fill", "thief", "{\"vip4\":\"" + vip + "\"}"), 409, "conflict", "vip4");
    assertError(put("fill", "thief", "{}"), 409, "pool_exhausted", "vip4");
    assertEquals(before, snapshot());
    NodeProcess.Reply back = put("fill", "s1", "{}");
    assertEquals(201, back.status());
    assertEquals(
        vip,
        back.body().get("vip4").asText(),
        "re-registration within hold-down gets its VIP back");
  }

  @Test
  @Order(9)
  void withoutQuorumWritesAre503AndStaleReadsStillWork() {
    NodeProcess survivor = CLUSTER.nodes().get(0);
    CLUSTER.nodes().subList(1, 3).forEach(NodeProcess::kill9);
    Await.until(
        WAIT,
        survivor.id() + " to see no leader",
        () -> {
          JsonNode c = survivor.cluster();
          return c != null && c.path("leader").isNull();
        });
    NodeProcess.Reply w = survivor.call("PUT", "/v1/services/prod/late", "{}", AUTH);
    assertError(w, 503, "no_quorum", null);
    assertNotNull(w.retryAfter(), "503 carries Retry-After");
    assertError(survivor.call("GET", "/v1/services/prod/web", null), 503, "no_quorum", null);
    NodeProcess.Reply stale = survivor.call("GET", "/v1/services/prod/web?stale", null);
    assertEquals(200, stale.status(), stale.body().toString());
    assertEquals("240.10.0.3", stale.body().get("vip4").asText());
    assertEquals(
        "NOERROR 240.10.0.3",
        survivor.resolve("web.prod.mesh.internal", Type.A),
        "DNS keeps answering without quorum");
  }
}
