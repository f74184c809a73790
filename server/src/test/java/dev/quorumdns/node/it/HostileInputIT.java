package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile HTTP input against a real one-node cluster over real sockets: every refusal has its
 * status and names the problem, leaves the registry revision where it was, and the node keeps
 * serving. The request deadline and connection caps are set low so the test is quick.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HostileInputIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_CONNECTIONS = 16;
  private static final int MAX_PER_CLIENT = 4;

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster(
          "hostile-input",
          73,
          1,
          "--api-request-timeout",
          "1s",
          "--api-max-connections",
          Integer.toString(MAX_CONNECTIONS),
          "--api-max-connections-per-client",
          Integer.toString(MAX_PER_CLIENT));

  private static NodeProcess node;

  @BeforeAll
  static void start() {
    CLUSTER.startAll();
    node = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    CLUSTER.awaitNodeRecords(node, WAIT);
    Writes.put(node, "hostile", "first", "{}");
  }

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static long revision() {
    NodeProcess.Reply r = node.call("GET", "/v1/services", null);
    assertEquals(200, r.status(), r.body().toString());
    return r.body().get("revision").asLong();
  }

  private static void assertRefused(NodeProcess.Reply r, int status, String field, String problem) {
    assertEquals(status, r.status(), r.body().toString());
    if (field != null) {
      assertEquals(field, r.body().path("field").asText(), r.body().toString());
    }
    assertTrue(
        r.body().path("message").asText().contains(problem),
        "message of " + r.body() + " names " + problem);
  }

  private static String repeat(int n, IntFunction<String> item) {
    return IntStream.range(0, n).mapToObj(item).collect(Collectors.joining(","));
  }

  static Stream<Arguments> hostileBodies() {
    return Stream.of(
        Arguments.of(
            "nested 40 deep",
            "{\"labels\":" + "[".repeat(40) + "]".repeat(40) + "}",
            "body",
            "nesting depth"),
        Arguments.of(
            "nested objects",
            "{\"labels\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(41),
            "body",
            "nesting depth"),
        Arguments.of(
            "100k-character string",
            "{\"labels\":{\"k\":\"" + "x".repeat(100_000) + "\"}}",
            "body",
            "String value length"),
        Arguments.of(
            "1000-digit number",
            "{\"ports\":[{\"name\":\"h\",\"port\":" + "9".repeat(1000) + "}]}",
            "body",
            "Number value length"),
        Arguments.of(
            "300k-entry array",
            "{\"ports\":[" + repeat(300_000, i -> "1") + "]}",
            "ports",
            "has 300000 entries (expected: at most 64)"),
        Arguments.of(
            "20k endpoints",
            "{\"endpoints\":[" + repeat(20_000, i -> "{\"address\":\"10.0.0.1\"}") + "]}",
            "endpoints",
            "has 20000 entries (expected: at most 1024)"),
        Arguments.of(
            "1025 endpoints",
            "{\"endpoints\":["
                + repeat(1025, i -> "{\"address\":\"10.0." + i / 250 + "." + (i % 250 + 1) + "\"}")
                + "]}",
            "endpoints",
            "has 1025 entries (expected: at most 1024)"),
        Arguments.of(
            "65 ports",
            "{\"ports\":[" + repeat(65, i -> "{\"port\":" + (i + 1) + "}") + "]}",
            "ports",
            "has 65 entries (expected: at most 64)"),
        Arguments.of(
            "65 labels",
            "{\"labels\":{" + repeat(65, i -> "\"k" + i + "\":\"v\"") + "}}",
            "labels",
            "has 65 entries (expected: at most 64)"),
        Arguments.of(
            "254-character label key",
            "{\"labels\":{\"" + "k".repeat(254) + "\":\"v\"}}",
            "labels",
            "expected: 1..253 characters"),
        Arguments.of(
            "1025-character label value",
            "{\"labels\":{\"k\":\"" + "v".repeat(1025) + "\"}}",
            "labels.k",
            "expected: at most 1024"),
        Arguments.of(
            "254-character endpoint host",
            "{\"endpoints\":[{\"address\":\"" + host(254) + "\"}]}",
            "endpoints[0].address",
            "expected: at most 253"));
  }

  /** A host name of exactly {@code length} characters made of valid labels. */
  private static String host(int length) {
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      int room = length - b.length() - (b.length() == 0 ? 0 : 1);
      if (b.length() > 0) {
        b.append('.');
      }
      b.append("a".repeat(Math.min(63, Math.max(1, room))));
    }
    return b.toString();
  }

  @ParameterizedTest(name = "{0} -> 400 naming {2}")
  @MethodSource("hostileBodies")
  void hostileJsonIsRefusedNamingTheProblemAndChangesNothing(
      String what, String body, String field, String problem) {
    long before = revision();
    assertRefused(node.call("PUT", "/v1/services/hostile/victim", body), 400, field, problem);
    assertEquals(before, revision(), "revision after " + what);
    assertEquals(200, node.call("GET", "/healthz", null).status(), "still serving after " + what);
  }

  @Test
  void valuesAtTheirLimitsAreAcceptedAndOnePastAreRefused() {
    String max = "x".repeat(63);
    assertEquals(
        201,
        node.call("PUT", "/v1/services/" + max + "/" + max, "{}").status(),
        "63-character labels");
    long before = revision();
    assertRefused(
        node.call("PUT", "/v1/services/hostile/" + max + "x", "{}"), 400, "name", "64 characters");
    assertRefused(
        node.call("PUT", "/v1/services/" + max + "x/web", "{}"), 400, "namespace", "64 characters");
    assertEquals(before, revision());

    String full =
        "{\"ports\":["
            + repeat(64, i -> "{\"port\":" + (i + 1) + "}")
            + "],"
            + "\"endpoints\":["
            + repeat(1023, i -> "{\"address\":\"10.0." + i / 250 + "." + (i % 250 + 1) + "\"}")
            + ",{\"address\":\""
            + host(253)
            + "\"}],"
            + "\"labels\":{"
            + repeat(62, i -> "\"k" + i + "\":\"v\"")
            + ",\""
            + "k".repeat(253)
            + "\":\"v\","
            + "\"long\":\""
            + "v".repeat(1024)
            + "\"}}";
    NodeProcess.Reply r = node.call("PUT", "/v1/services/hostile/full", full);
    assertEquals(201, r.status(), r.body().toString());
    assertEquals(1024, r.body().get("endpoints").size());
    assertEquals(64, r.body().get("ports").size());
    assertEquals(64, r.body().get("labels").size());
  }

  @Test
  void batchesAreCappedAtAThousandOperations() {
    String ops1001 =
        "{\"operations\":["
            + repeat(
                1001,
                i ->
                    "{\"op\":\"put\",\"namespace\":\"bulk\",\"name\":\"s"
                        + i
                        + "\",\"service\":{}}")
            + "]}";
    long before = revision();
    assertRefused(node.call("POST", "/v1/batch", ops1001), 400, "operations", "has 1001 entries");
    assertEquals(before, revision());
    String ops1000 =
        "{\"operations\":["
            + repeat(
                1000,
                i ->
                    "{\"op\":\"put\",\"namespace\":\"bulk\",\"name\":\"s"
                        + i
                        + "\",\"service\":{}}")
            + "]}";
    NodeProcess.Reply r = node.call("POST", "/v1/batch", ops1000);
    assertEquals(200, r.status(), r.body().toString());
    assertEquals(1000, r.body().get("results").size());
  }

  @Test
  void anOversizedBodyIs413AndChangesNothing() {
    long before = revision();
    String huge = "{\"labels\":{\"k\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}";
    // Repeated: the client is still sending when the 413 is written, and a server that closes with
    // the body
    // unread resets the connection, which sometimes destroys the answer before the client reads it.
    for (int i = 0; i < 30; i++) {
      assertRefused(node.call("PUT", "/v1/services/hostile/big", huge), 413, "body", "larger than");
    }
    assertEquals(before, revision());
  }

  @Test
  void aSlowLorisIsCutOffAtTheRequestDeadlineNotTheIdleTimeout() throws Exception {
    String request =
        "PUT /v1/services/hostile/slow HTTP/1.1\r\nHost: quorumdns\r\nContent-Length: 2\r\n\r\n{}";
    long before = revision();
    try (RawHttp c = new RawHttp(node.ip(), null, Duration.ofSeconds(10))) {
      long start = System.nanoTime();
      String answer = null;
      for (int i = 0; i < request.length(); i++) {
        try {
          c.send(request.substring(i, i + 1));
        } catch (IOException e) {
          break; // cut off while sending
        }
        Thread.sleep(100); // the attack itself: one byte every 100 ms
        if (Duration.ofNanos(System.nanoTime() - start).toSeconds() > 5) {
          break;
        }
      }
      answer = c.readAnswer();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains("request_timeout"), answer);
      assertTrue(
          took.compareTo(Duration.ofSeconds(4)) < 0, "cut off after " + took.toMillis() + " ms");
      assertTrue(c.closedByServer(), "connection closed");
    }
    assertEquals(before, revision());
    assertEquals(200, node.call("GET", "/healthz", null).status());
  }

  @Test
  void anIdleKeepAliveConnectionIsNotCutByTheRequestDeadline() throws Exception {
    try (RawHttp c = new RawHttp(node.ip(), "127.0.73.50", Duration.ofSeconds(5))) {
      c.send(RawHttp.get("/healthz"));
      assertTrue(c.readAnswer().startsWith("HTTP/1.1 200"));
      Thread.sleep(1500); // idle between requests for longer than the 1 s request deadline
      c.send(RawHttp.get("/healthz"));
      assertTrue(
          c.readAnswer().startsWith("HTTP/1.1 200"), "second request on the same connection");
    }
  }

  @Test
  void connectionsOverTheCapsAreRefusedWith503() throws Exception {
    List<RawHttp> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_PER_CLIENT; i++) {
        RawHttp c = new RawHttp(node.ip(), "127.0.73.60", Duration.ofSeconds(5));
        open.add(c);
        c.send(RawHttp.get("/healthz"));
        assertTrue(c.readAnswer().startsWith("HTTP/1.1 200"), "connection " + i + " of one client");
      }
      try (RawHttp extra = new RawHttp(node.ip(), "127.0.73.60", Duration.ofSeconds(5))) {
        extra.send(RawHttp.get("/healthz"));
        String a = extra.readAnswer();
        assertTrue(a.startsWith("HTTP/1.1 503"), a);
        assertTrue(
            a.contains("too_many_connections") && a.contains("api-max-connections-per-client"), a);
        assertTrue(extra.closedByServer());
      }
      // Fill the node from many addresses; the test's own HTTP client may hold a few connections
      // too.
      String refusal = null;
      int accepted = open.size();
      for (int i = 0; i < MAX_CONNECTIONS && refusal == null; i++) {
        RawHttp c = new RawHttp(node.ip(), "127.0.73." + (100 + i), Duration.ofSeconds(5));
        open.add(c);
        c.send(RawHttp.get("/healthz"));
        String a = c.readAnswer();
        if (a.startsWith("HTTP/1.1 503")) {
          refusal = a;
        } else {
          assertTrue(a.startsWith("HTTP/1.1 200"), a);
          accepted++;
        }
      }
      assertTrue(
          refusal != null && refusal.contains("api-max-connections)"),
          "refused at the node cap: " + refusal);
      assertTrue(
          accepted >= MAX_CONNECTIONS - 3 && accepted < MAX_CONNECTIONS, accepted + " accepted");
    } finally {
      for (RawHttp c : open) {
        c.close();
      }
    }
    Await.until(
        WAIT,
        "a call once the connections are closed",
        () -> node.call("GET", "/healthz", null).status() == 200);
  }

  @Test
  void aMalformedRequestHeadIs400AndClosed() throws Exception {
    try (RawHttp c = new RawHttp(node.ip(), "127.0.73.70", Duration.ofSeconds(5))) {
      c.send("GET /healthz HTTP/1.1\r\nHost: q\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
      String a = c.readAnswer();
      assertTrue(a.startsWith("HTTP/1.1 400") || a.startsWith("HTTP/1.1 431"), a);
    }
    assertEquals(200, node.call("GET", "/healthz", null).status());
  }

  @Test
  void writesAreAuditedWithoutATokenIdWhenAuthIsOff() throws IOException {
    assertEquals(201, node.call("PUT", "/v1/services/hostile/audited", "{}").status());
    Await.until(
        WAIT,
        "the audit line",
        () -> {
          try {
            return Files.readAllLines(CLUSTER.nodes().get(0).dir().resolve("audit.log")).stream()
                .anyMatch(
                    l ->
                        l.matches(
                            ".* token=- remote=127\\.0\\.0\\.1:\\d+ method=PUT "
                                + "path=/v1/services/hostile/audited op=put target=hostile/audited status=201 vip4=[0-9.]+ vip6=.*"));
          } catch (IOException e) {
            return false;
          }
        });
    JsonNode c = node.cluster();
    assertTrue(c != null);
  }
}
