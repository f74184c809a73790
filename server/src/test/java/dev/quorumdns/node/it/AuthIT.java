package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scoped tokens ({@code --token-file}) on a real 3-node cluster: each scope allows what it says and
 * nothing else, on whichever node receives the call; the file is reloaded without a restart; loose
 * permissions and broken files refuse the start; secrets appear in no log; every write is audited
 * with its token id.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AuthIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path DIR = Path.of("target", "it", "auth-files").toAbsolutePath();
  private static final Path TOKENS = DIR.resolve("tokens.yaml");
  private static final String READER = "reader-secret-000000001";
  private static final String WRITER_A = "writer-a-secret-0000002";
  private static final String WRITER_ALL = "writer-all-secret-00003";
  private static final String ADMIN = "admin-secret-0000000004";
  private static final String LATE = "late-token-secret-00005";
  private static final List<String> SECRETS = List.of(READER, WRITER_A, WRITER_ALL, ADMIN, LATE);
  private static final String BODY = "{\"ports\":[{\"name\":\"http\",\"port\":80}]}";

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster("auth", 71, 3, "--token-file", TOKENS.toString());

  private static NodeProcess leader;
  private static NodeProcess follower;

  private static String bearer(String secret) {
    return "Bearer " + secret;
  }

  private static void writeTokens(String yaml) throws IOException {
    Path tmp = DIR.resolve("tokens.yaml.tmp");
    Files.writeString(tmp, yaml);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    Files.move(tmp, TOKENS, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String tokens(boolean withReader, boolean withLate) {
    StringBuilder b = new StringBuilder("tokens:\n");
    if (withReader) {
      b.append("  - {id: reader, secret: ").append(READER).append(", scopes: [read]}\n");
    }
    b.append("  - {id: writer-a, secret: ").append(WRITER_A).append(", scopes: ['write:ns-a']}\n");
    b.append("  - {id: writer-all, sha256: ")
        .append(sha256(WRITER_ALL))
        .append(", scopes: ['write:*']}\n");
    b.append("  - {id: admin, secret: ").append(ADMIN).append(", scopes: [admin]}\n");
    if (withLate) {
      b.append("  - {id: late, secret: ").append(LATE).append(", scopes: [read]}\n");
    }
    return b.toString();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void start() throws IOException {
    Files.createDirectories(DIR);
    writeTokens(tokens(true, false));
    CLUSTER.nodes().forEach(n -> n.authorizeWith(bearer(READER)));
    CLUSTER.startAll();
    leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    follower = CLUSTER.anyFollower(leader).orElseThrow();
    CLUSTER.awaitNodeRecords(leader, WAIT);
    CLUSTER.nodes().forEach(n -> n.authorizeWith(null));
    Writes.put(leader, "ns-a", "first", BODY, bearer(WRITER_A));
  }

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static long revision() {
    NodeProcess.Reply r = leader.call("GET", "/v1/services", null, bearer(READER));
    assertEquals(200, r.status(), r.body().toString());
    return r.body().get("revision").asLong();
  }

  private static void assertError(NodeProcess.Reply r, int status, String code, String inMessage) {
    assertEquals(status, r.status(), r.body().toString());
    assertEquals(code, r.body().path("error").asText(), r.body().toString());
    assertTrue(
        r.body().path("message").asText().contains(inMessage), r.body() + " mentions " + inMessage);
  }

  @Test
  @Order(1)
  void withoutAValidTokenTheRegistryIs401ButHealthAndMetricsStayOpen() {
    long before = revision();
    for (NodeProcess n : List.of(leader, follower)) {
      assertError(n.call("GET", "/v1/services", null), 401, "unauthorized", "Bearer");
      assertError(n.call("GET", "/v1/cluster", null), 401, "unauthorized", "Bearer");
      assertError(n.call("GET", "/v1/records", null), 401, "unauthorized", "Bearer");
      assertError(n.call("PUT", "/v1/services/ns-a/x", BODY), 401, "unauthorized", "Bearer");
      assertError(
          n.call("PUT", "/v1/services/ns-a/x", BODY, bearer("wrong-secret-000000000")),
          401,
          "unauthorized",
          "unknown bearer token");
      assertError(
          n.call("GET", "/v1/services", null, "Basic " + READER), 401, "unauthorized", "bearer");
      assertEquals(200, n.call("GET", "/healthz", null).status());
      assertEquals(200, n.call("GET", "/readyz", null).status());
      assertTrue(n.text("/metrics").contains("quorumdns_api_requests"), "metrics open");
    }
    assertEquals(before, revision());
  }

  @Test
  @Order(2)
  void aReadTokenReadsButCannotWrite() {
    long before = revision();
    assertEquals(
        200, follower.call("GET", "/v1/services/ns-a/first", null, bearer(READER)).status());
    assertEquals(200, follower.call("GET", "/v1/cluster", null, bearer(READER)).status());
    assertError(
        follower.call("PUT", "/v1/services/ns-a/x", BODY, bearer(READER)),
        403,
        "forbidden",
        "lacks scope write:ns-a");
    assertError(
        follower.call("DELETE", "/v1/services/ns-a/first", null, bearer(READER)),
        403,
        "forbidden",
        "write:ns-a");
    assertError(
        follower.call("POST", "/v1/cluster/snapshot", null, bearer(READER)),
        403,
        "forbidden",
        "lacks scope admin");
    assertEquals(before, revision());
  }

  @Test
  @Order(3)
  void aNamespaceWriterWritesItsNamespaceOnlyOnWhicheverNodeItCalls() {
    for (NodeProcess n : List.of(leader, follower)) {
      NodeProcess.Reply ok =
          n.call("PUT", "/v1/services/ns-a/web-" + n.id(), BODY, bearer(WRITER_A));
      assertEquals(201, ok.status(), n.id() + ": " + ok.body());
      assertEquals(
          200,
          n.call("GET", "/v1/services/ns-a/web-" + n.id(), null, bearer(WRITER_A)).status(),
          "a writer may read");
    }
    long before = revision();
    for (NodeProcess n : List.of(leader, follower)) {
      assertError(
          n.call("PUT", "/v1/services/ns-b/web", BODY, bearer(WRITER_A)),
          403,
          "forbidden",
          "lacks scope write:ns-b");
      assertError(
          n.call("PUT", "/v1/services/NS-B/web", BODY, bearer(WRITER_A)),
          403,
          "forbidden",
          "write:ns-b");
      assertError(
          n.call("DELETE", "/v1/services/ns-b/web", null, bearer(WRITER_A)),
          403,
          "forbidden",
          "write:ns-b");
      String batch =
          "{\"operations\":[{\"op\":\"put\",\"namespace\":\"ns-a\",\"name\":\"b1\",\"service\":{}},"
              + "{\"op\":\"put\",\"namespace\":\"ns-b\",\"name\":\"b2\",\"service\":{}}]}";
      assertError(
          n.call("POST", "/v1/batch", batch, bearer(WRITER_A)), 403, "forbidden", "write:ns-b");
      assertError(
          n.call("DELETE", "/v1/cluster/members/n3", null, bearer(WRITER_A)),
          403,
          "forbidden",
          "admin");
    }
    assertEquals(before, revision(), "refusals change nothing");
    assertEquals(
        201,
        follower.call("PUT", "/v1/services/ns-b/web", BODY, bearer(WRITER_ALL)).status(),
        "write:* (given as sha256) writes any namespace");
  }

  @Test
  @Order(4)
  void onlyAdminChangesTheCluster() {
    assertError(
        follower.call("POST", "/v1/cluster/snapshot", null, bearer(WRITER_ALL)),
        403,
        "forbidden",
        "lacks scope admin");
    assertError(
        follower.call(
            "POST",
            "/v1/cluster/members",
            "{\"id\":\"n9\",\"raft\":\"127.0.71.99:9053\"}",
            bearer(WRITER_ALL)),
        403,
        "forbidden",
        "lacks scope admin");
    assertError(
        leader.call("DELETE", "/v1/cluster/members/n3", null, bearer(WRITER_ALL)),
        403,
        "forbidden",
        "lacks scope admin");
    assertError(
        leader.call("PUT", "/v1/services/ns-a/admin-try", BODY, bearer(ADMIN)),
        403,
        "forbidden",
        "write:ns-a");
    assertEquals(200, follower.call("POST", "/v1/cluster/snapshot", null, bearer(ADMIN)).status());
    NodeProcess victim =
        CLUSTER.alive().stream()
            .filter(n -> n != leader && n != follower)
            .findFirst()
            .orElseThrow();
    NodeProcess.Reply removed =
        leader.call("DELETE", "/v1/cluster/members/" + victim.id(), null, bearer(ADMIN));
    assertEquals(200, removed.status(), removed.body().toString());
    Await.until(
        WAIT,
        victim.id() + " gone from the members",
        () -> {
          JsonNode c = leader.call("GET", "/v1/cluster", null, bearer(ADMIN)).body();
          return c.path("members").size() == 2;
        });
  }

  @Test
  @Order(5)
  void theTokenFileIsReloadedWithoutARestartAndABrokenOneKeepsTheTokensInForce()
      throws IOException {
    assertError(
        leader.call("GET", "/v1/services", null, bearer(LATE)), 401, "unauthorized", "unknown");
    writeTokens(tokens(false, true));
    for (NodeProcess n : List.of(leader, follower)) {
      Await.until(
          WAIT,
          n.id() + " takes the new token",
          () -> n.call("GET", "/v1/services", null, bearer(LATE)).status() == 200);
      Await.until(
          WAIT,
          n.id() + " drops the revoked token",
          () -> n.call("GET", "/v1/services", null, bearer(READER)).status() == 401);
    }
    // A broken file, with a secret on the line at fault: refused, the tokens in force stay.
    writeTokens(
        tokens(true, true) + "  - {id: broken, secret: " + READER + "-x, scopes: [raed]}\n");
    for (NodeProcess n : List.of(leader, follower)) {
      Await.until(
          WAIT,
          n.id() + " logs the broken file",
          () -> n.tail(400).contains("token-file not reloaded"));
      assertTrue(n.tail(400).contains(TOKENS + " line 7: tokens[5].scopes[0]: 'raed'"), n.tail(20));
      assertEquals(200, n.call("GET", "/v1/services", null, bearer(LATE)).status());
      assertEquals(401, n.call("GET", "/v1/services", null, bearer(READER)).status());
    }
  }

  private static final Pattern AUDIT =
      Pattern.compile(
          "(\\S+) token=(\\S+) remote=(\\S+) method=(\\S+) path=(\\S+)"
              + " op=(\\S+) target=(\\S+) status=(\\d+)(?: error=(\\S+))?(?: vip4=(\\S+))?(?: vip6=(\\S+))?");

  @Test
  @Order(6)
  void everyWriteAndClusterChangeIsAuditedWithItsTokenId() throws IOException {
    Map<String, Integer> seen = new HashMap<>();
    for (NodeProcess n : List.of(leader, follower)) {
      for (String line : Files.readAllLines(n.dir().resolve("audit.log"))) {
        Matcher m = AUDIT.matcher(line);
        assertTrue(m.matches(), "parseable: " + line);
        Instant.parse(m.group(1));
        assertTrue(m.group(3).startsWith("127.0.0.1:"), line);
        String key =
            m.group(2) + " " + m.group(4) + " " + m.group(6) + " " + m.group(7) + " " + m.group(8);
        seen.merge(key, 1, Integer::sum);
        if (m.group(8).equals("201")) {
          assertTrue(
              m.group(10) != null && m.group(10).matches("\\d+\\.\\d+\\.\\d+\\.\\d+"),
              "vip4 in " + line);
        }
      }
    }
    for (String expected :
        List.of(
            "writer-a PUT put ns-a/web-" + leader.id() + " 201",
            "writer-a PUT put ns-a/web-" + follower.id() + " 201",
            "writer-a PUT put ns-b/web 403",
            "writer-a POST put ns-b/b2 403",
            "writer-a POST put ns-a/b1 403",
            "reader PUT put ns-a/x 403",
            "- PUT put ns-a/x 401",
            "writer-all PUT put ns-b/web 201",
            "writer-all DELETE member-remove n3 403",
            "admin POST snapshot - 200",
            "admin PUT put ns-a/admin-try 403")) {
      assertTrue(seen.containsKey(expected), "audit has '" + expected + "' in " + seen.keySet());
    }
    assertTrue(
        seen.keySet().stream().anyMatch(k -> k.matches("admin DELETE member-remove n\\d 200")),
        "removal");
  }

  @Test
  @Order(7)
  void noSecretAppearsInAnyLog() throws IOException {
    for (NodeProcess n : CLUSTER.nodes()) {
      for (Path f : List.of(n.log(), n.dir().resolve("audit.log"))) {
        String text = Files.exists(f) ? Files.readString(f) : "";
        for (String s : SECRETS) {
          assertFalse(text.contains(s), f + " contains a secret");
          assertFalse(text.contains(s.substring(0, 12)), f + " contains part of a secret");
        }
        assertFalse(text.contains(sha256(WRITER_ALL)), f + " contains a token hash");
      }
    }
  }

  @Test
  @Order(8)
  void aTokenFileOthersCanReadOrABrokenOneRefusesTheStart() throws IOException {
    Path loose = DIR.resolve("loose.yaml");
    Files.writeString(loose, tokens(true, false));
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
    Path broken = DIR.resolve("broken.yaml");
    Files.writeString(
        broken, "tokens:\n  - {id: a, secret: " + READER + ", scopes: [write:Bad_Ns]}\n");
    Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rw-------"));
    Map<Path, String> expected =
        Map.of(
            loose,
            "chmod 600 " + loose,
            broken,
            broken + " line 2: tokens[0].scopes[0]: 'write:Bad_Ns'");
    int subnet = 72;
    for (Map.Entry<Path, String> e : expected.entrySet()) {
      try (TestCluster refused =
          new TestCluster(
              "auth-refused-" + subnet, subnet++, 1, "--token-file", e.getKey().toString())) {
        NodeProcess n = refused.nodes().get(0);
        n.start();
        Await.until(WAIT, "the node to refuse to start", () -> !n.isAlive());
        String log = n.tail(20);
        assertTrue(
            log.contains("refused to start: token-file: ") && log.contains(e.getValue()), log);
        assertFalse(log.contains(READER), "no secret in " + log);
      }
    }
  }
}
