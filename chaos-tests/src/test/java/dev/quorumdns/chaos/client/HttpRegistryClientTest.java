package dev.quorumdns.chaos.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP client against a scripted loopback server speaking the API contract. */
@Timeout(30)
class HttpRegistryClientTest {
  private static final String SERVICE =
      """
      {"namespace":"web","name":"a","fqdn":"a.web.mesh.internal","vip4":"240.0.0.7","vip6":"fd00:fd00::7",
       "ports":[{"name":"http","protocol":"tcp","port":80}],
       "endpoints":[{"address":"10.1.0.6","port":8080},{"address":"10.1.0.5","port":8080}],
       "labels":{},"revision":12,"createRevision":9}""";

  private record Reply(int status, String body) {}

  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private HttpRegistryClient client;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    client = new HttpRegistryClient(node -> base, Duration.ofMillis(500));
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    Reply reply = replies.get(ex.getRequestMethod() + " " + ex.getRequestURI());
    if (reply == null) {
      reply = new Reply(500, "{\"error\":\"unscripted\"}");
    }
    if (reply.status() < 0) {
      // the node's own write timeout: answers 504 after -status ms
      try {
        Thread.sleep(-reply.status());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply = new Reply(504, "{\"error\":\"outcome_unknown\",\"message\":\"\"}");
    }
    if (reply.status() == 0) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply = new Reply(200, SERVICE);
    }
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
    ex.close();
  }

  private static ServiceSpec spec() {
    return ServiceSpec.parse("10.1.0.5:8080,10.1.0.6:8080");
  }

  @Test
  void createdAndUpdatedCarryVipSpecAndRevision() {
    replies.put("PUT /v1/services/web/a", new Reply(201, SERVICE));
    Outcome created = client.put("n1", "web/a", spec());
    assertEquals(OpType.OK, created.type());
    assertEquals("created", created.result());
    assertEquals("240.0.0.7", created.vip());
    assertEquals("10.1.0.5:8080,10.1.0.6:8080", created.spec(), "spec is canonical (sorted)");
    assertEquals(12L, created.revision());
    replies.put("PUT /v1/services/web/a", new Reply(200, SERVICE));
    assertEquals("updated", client.put("n1", "web/a", spec()).result());
  }

  @Test
  void noQuorumIsFailAndOutcomeUnknownIsInfo() {
    replies.put(
        "PUT /v1/services/web/a",
        new Reply(503, "{\"error\":\"no_quorum\",\"message\":\"no leader\"}"));
    Outcome refused = client.put("n1", "web/a", spec());
    assertEquals(OpType.FAIL, refused.type());
    assertEquals("no_quorum", refused.result());
    replies.put(
        "DELETE /v1/services/web/a",
        new Reply(504, "{\"error\":\"outcome_unknown\",\"message\":\"\"}"));
    Outcome unknown = client.delete("n1", "web/a");
    assertEquals(OpType.INFO, unknown.type());
    assertEquals("outcome_unknown", unknown.result());
    replies.put(
        "PUT /v1/services/web/b",
        new Reply(409, "{\"error\":\"conflict\",\"message\":\"vip taken\"}"));
    assertEquals(OpType.FAIL, client.put("n1", "web/b", spec()).type());
  }

  @Test
  void serverErrorsAndUnparseableAnswersAreDefiniteFailures() {
    replies.put(
        "PUT /v1/services/web/a", new Reply(500, "{\"error\":\"internal\",\"message\":\"\"}"));
    assertEquals(OpType.FAIL, client.put("n1", "web/a", spec()).type(), "500 on a write");
    replies.put("PUT /v1/services/web/b", new Reply(201, "{not json"));
    Outcome garbled = client.put("n1", "web/b", spec());
    assertEquals(OpType.FAIL, garbled.type(), "unparseable 201");
    assertEquals("bad_response", garbled.result());
    replies.put("DELETE /v1/services/web/c", new Reply(502, "<html>bad gateway</html>"));
    assertEquals(OpType.FAIL, client.delete("n1", "web/c").type(), "unparseable 502");
    replies.put(
        "GET /v1/services/web/d",
        new Reply(504, "{\"error\":\"outcome_unknown\",\"message\":\"\"}"));
    assertEquals(OpType.FAIL, client.get("n1", "web/d").type(), "504 on a read");
  }

  @Test
  void writesWaitLongerThanTheNodesWriteTimeoutAndSeeIts504() {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    HttpRegistryClient patient =
        new HttpRegistryClient(node -> base, Duration.ofMillis(300), Duration.ofSeconds(5));
    replies.put("PUT /v1/services/web/slow504", new Reply(-800, ""));
    Outcome unknown = patient.put("n1", "web/slow504", spec());
    assertEquals(OpType.INFO, unknown.type());
    assertEquals("outcome_unknown", unknown.result(), "the node's 504, not the client's timeout");
  }

  @Test
  void timeoutIsInfoForWritesAndFailForReads() {
    replies.put("PUT /v1/services/web/slow", new Reply(0, ""));
    replies.put("GET /v1/services/web/slow", new Reply(0, ""));
    assertEquals(OpType.INFO, client.put("n1", "web/slow", spec()).type());
    Outcome read = client.get("n1", "web/slow");
    assertEquals(OpType.FAIL, read.type());
    assertEquals("timeout", read.result());
  }

  @Test
  void refusedConnectionIsFailEvenForWrites() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    HttpRegistryClient dead =
        new HttpRegistryClient(
            node -> URI.create("http://127.0.0.1:" + closedPort), Duration.ofMillis(500));
    Outcome outcome = dead.put("n1", "web/a", spec());
    assertEquals(OpType.FAIL, outcome.type());
    assertEquals("unreachable", outcome.result());
  }

  @Test
  void readsDeletesListsAndClusterStatus() {
    replies.put("GET /v1/services/web/a", new Reply(200, SERVICE));
    replies.put(
        "DELETE /v1/services/web/gone",
        new Reply(404, "{\"error\":\"not_found\",\"message\":\"\"}"));
    replies.put(
        "GET /v1/services?stale",
        new Reply(200, "{\"revision\":12,\"services\":[" + SERVICE + "]}"));
    replies.put(
        "GET /v1/cluster",
        new Reply(
            200,
            """
        {"id":"n1","leader":"n2","term":3,"commitIndex":20,"appliedIndex":19,"revision":12,
         "members":[{"id":"n1","role":"follower","raft":"h1:9053","api":"h1:8053","dns":"h1:53535"}]}"""));

    Outcome found = client.get("n1", "web/a");
    assertEquals("found", found.result());
    assertEquals("240.0.0.7", found.vip());
    assertEquals("not_found", client.delete("n1", "web/gone").result());
    Outcome list = client.list("n1", true);
    assertEquals(12L, list.revision());
    assertEquals(
        new RegistryEntry("240.0.0.7", "10.1.0.5:8080,10.1.0.6:8080"),
        list.registry().get("web/a"));
    ClusterStatus status = client.cluster("n1");
    assertTrue(status.reachable());
    assertEquals("n2", status.leader());
    assertEquals(12, status.revision());
    assertEquals("h1:9053", status.members().get(0).raft());
    replies.remove("GET /v1/cluster");
    assertFalse(client.cluster("n1").reachable());
  }
}
