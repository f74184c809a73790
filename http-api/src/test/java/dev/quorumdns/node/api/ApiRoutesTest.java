package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.node.api.watch.WatchHub;
import dev.quorumdns.node.auth.TokenStore;
import dev.quorumdns.node.config.WatchLimits;
import dev.quorumdns.node.runtime.WriteResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The route table against an in-memory runtime: every route is reached, named for metrics and
 * audited as it declares; wrong methods are 405 with {@code Allow}; unknown paths are 404, metered
 * as {@code other} and audited as nothing; scopes come from the same declaration.
 */
@Timeout(30)
class ApiRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern AUDIT =
      Pattern.compile(
          "token=(\\S+) .* method=(\\S+) path=(\\S+) op=(\\S+) " + "target=(\\S+) status=(\\d+)");
  private static final String SERVICE =
      "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}]}";
  private static final String WITH_ENDPOINT =
      "{\"endpoints\":[{\"address\":\"10.0.0.1\",\"port\":8080}]}";

  @TempDir Path dir;
  private FakeRuntime node;
  private AuditLog audit;

  @BeforeEach
  void open() throws IOException {
    node = new FakeRuntime();
    audit = AuditLog.open(dir.resolve("audit.log"), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    audit.close();
  }

  private ApiRoutes routes(ApiAuth auth) {
    return new ApiRoutes(node, hub(), Runnable::run, () -> "# metrics\n", auth, audit);
  }

  /** A hub over the fake runtime, not started: it has read no replica, so watches answer 503. */
  private WatchHub hub() {
    return new WatchHub(
        node, WatchLimits.defaults(), new SimpleMeterRegistry(), new SplittableRandom(1));
  }

  private static ApiRequest request(String method, String path, String body, String authorization) {
    List<String> segments = new ArrayList<>();
    Map<String, List<String>> params = Map.of();
    String p = path;
    int q = path.indexOf('?');
    if (q >= 0) {
      params = Map.of(path.substring(q + 1), List.of(""));
      p = path.substring(0, q);
    }
    for (String s : p.split("/")) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    return new ApiRequest(
        method,
        segments,
        params,
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
        authorization,
        new InetSocketAddress("127.0.0.1", 40000));
  }

  private ApiResponse call(
      ApiRoutes routes, String method, String path, String body, String authorization) {
    return routes.handle(request(method, path, body, authorization)).join();
  }

  private static JsonNode json(ApiResponse r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** Each audit line as {@code token method path op target status}. */
  private List<String> auditLines() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("audit.log"))) {
      Matcher m = AUDIT.matcher(line);
      assertTrue(m.find(), line);
      out.add(
          String.join(" ", m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1} -> {3}, route {4}, audit {5}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "GET    | /healthz                  | -                                                   | 200 | healthz  | -",
        "GET    | /readyz                   | -                                                   | 200 | readyz   | -",
        "GET    | /metrics                  | -                                                   | 200 | metrics  | -",
        "PUT    | /v1/services/shop/cart    | {}                                                  | 201 | service  | put shop/cart",
        "GET    | /v1/services/shop/cart    | -                                                   | 200 | service  | -",
        "GET    | /v1/services?stale        | -                                                   | 200 | services | -",
        "DELETE | /v1/services/shop/cart    | -                                                   | 200 | service  | delete shop/cart",
        "DELETE | /v1/services/shop/gone    | -                                                   | 404 | service  | delete shop/gone",
        "POST   | /v1/batch                 | {\"operations\":[{\"op\":\"put\",\"namespace\":\"a\",\"name\":\"b\",\"service\":{}}]} | 200 | batch | put a/b",
        "GET    | /v1/records               | -                                                   | 200 | records  | -",
        "GET    | /v1/cluster               | -                                                   | 200 | cluster  | -",
        "GET    | /v1/cluster/members       | -                                                   | 200 | members  | -",
        "GET    | /v1/cluster/formation     | -                                                   | 200 | formation | -",
        "POST   | /v1/cluster/members       | {\"id\":\"n2\",\"raft\":\"127.0.0.2:9053\"}          | 200 | members  | member-add n2",
        "DELETE | /v1/cluster/members/n2    | -                                                   | 200 | members  | member-remove n2",
        "DELETE | /v1/cluster/members/n9    | -                                                   | 404 | members  | member-remove n9",
        "POST   | /v1/cluster/snapshot      | -                                                   | 200 | snapshot | snapshot -",
        "PUT    | /v1/services/shop/cart/endpoints/10.0.0.1:8080/health | {\"health\":\"critical\"} | 200 | health | health shop/cart/10.0.0.1:8080",
        "PUT    | /v1/services/shop/cart/endpoints/10.0.0.9/health | {\"health\":\"critical\"} | 404 | health | health shop/cart/10.0.0.9",
        "POST   | /v1/leases                | {\"ttl\":\"15s\"}                                   | 201 | leases   | lease-grant 0000000000000002",
        "GET    | /v1/leases/1              | -                                                   | 200 | lease    | -",
        "PUT    | /v1/leases/1/keepalive    | -                                                   | 200 | keepalive | -",
        "PUT    | /v1/leases/9/keepalive    | -                                                   | 404 | keepalive | -",
        "DELETE | /v1/leases/1              | -                                                   | 200 | lease    | lease-revoke 1",
        "DELETE | /v1/leases/9              | -                                                   | 404 | lease    | lease-revoke 9",
        "GET    | /v1/cluster/snapshot      | -                                                   | 200 | snapshot | snapshot-download -",
        "GET    | /v1/watch                 | -                                                   | 503 | watch    | -",
      })
  void everyRouteIsReachedMeteredAndAuditedAsDeclared(
      String method, String path, String body, int status, String metric, String audited)
      throws IOException {
    ApiRoutes routes = routes(ApiAuth.none());
    if (!method.equals("PUT") && path.equals("/v1/services/shop/cart")
        || path.contains("/endpoints/")) {
      call(routes, "PUT", "/v1/services/shop/cart", WITH_ENDPOINT, null);
    }
    if (path.startsWith("/v1/leases")) {
      call(routes, "POST", "/v1/leases", "{\"ttl\": 15}", null); // lease 1
    }
    if (path.equals("/v1/cluster/members/n2")) {
      call(
          routes,
          "POST",
          "/v1/cluster/members",
          "{\"id\":\"n2\",\"raft\":\"127.0.0.2:9053\"}",
          null);
    }
    List<String> before = auditLines();
    ApiRequest r = request(method, path, body, null);
    ApiResponse resp = routes.handle(r).join();
    assertEquals(status, resp.status(), new String(resp.body(), StandardCharsets.UTF_8));
    assertEquals(metric, routes.metricName(r));
    if (resp.stream() != null) {
      resp.stream().abandon();
    }
    List<String> after = auditLines();
    List<String> added = after.subList(before.size(), after.size());
    if (audited == null) {
      assertEquals(List.of(), added);
    } else {
      assertEquals(1, added.size(), added.toString());
      String line = added.get(0);
      assertTrue(
          line.endsWith(audited + " " + status),
          line + " (expected: ... " + audited + " " + status + ")");
    }
  }

  @Test
  void anUnknownPathUnderTheClusterIs404AndNeitherMeteredNorAuditedAsAMemberRemoval()
      throws IOException {
    ApiRoutes routes = routes(ApiAuth.none());
    ApiRequest r = request("DELETE", "/v1/cluster/x/y", null, null);
    ApiResponse resp = routes.handle(r).join();
    assertEquals(404, resp.status());
    assertEquals("not_found", json(resp).get("error").asText());
    assertEquals(RouteTable.UNMATCHED, routes.metricName(r));
    assertEquals(List.of(), auditLines(), "no route, no audit line");
    assertEquals(List.of("n1"), node.members(), "nothing removed");
    assertEquals(
        RouteTable.UNMATCHED, routes.metricName(request("GET", "/v1/services/shop", null, null)));
    assertEquals("root", routes.metricName(request("GET", "/", null, null)));
  }

  @ParameterizedTest(name = "{0} {1} -> 405, Allow: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "POST   | /v1/services/shop/cart | GET, HEAD, PUT, DELETE",
        "PUT    | /v1/services           | GET, HEAD",
        "GET    | /v1/batch              | POST",
        "DELETE | /v1/cluster            | GET, HEAD",
        "PUT    | /v1/cluster/members    | GET, HEAD, POST",
        "DELETE | /v1/cluster/snapshot   | POST, GET, HEAD",
        "POST   | /healthz               | GET, HEAD",
        "PUT    | /v1/leases             | POST",
        "POST   | /v1/leases/1           | GET, HEAD, DELETE",
        "GET    | /v1/leases/1/keepalive | PUT",
        "GET    | /v1/services/a/b/endpoints/10.0.0.1/health | PUT",
      })
  void wrongMethodsAre405WithAllow(String method, String path, String allow) throws IOException {
    ApiRoutes routes = routes(ApiAuth.none());
    ApiResponse resp = call(routes, method, path, "{}", null);
    assertEquals(405, resp.status());
    assertEquals("method_not_allowed", json(resp).get("error").asText());
    assertEquals(allow, resp.headers().get("Allow"));
    assertEquals(List.of(), auditLines());
  }

  @Test
  void scopesComeFromTheRouteTable() throws IOException {
    Path tokens = dir.resolve("tokens.yaml");
    Files.writeString(
        tokens,
        """
        tokens:
          - {id: reader, secret: reader-secret-0000001, scopes: [read]}
          - {id: writer-a, secret: writer-a-secret-00001, scopes: ["write:ns-a"]}
          - {id: admin, secret: admin-secret-00000001, scopes: [admin]}
        """);
    Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
    ApiRoutes routes = routes(ApiAuth.tokens(TokenStore.load(tokens)));
    String reader = "Bearer reader-secret-0000001";
    String writer = "Bearer writer-a-secret-00001";
    String admin = "Bearer admin-secret-00000001";

    assertEquals(200, call(routes, "GET", "/healthz", null, null).status(), "open");
    ApiResponse formation = call(routes, "GET", "/v1/cluster/formation", null, null);
    assertEquals(200, formation.status(), "open: nodes looking for their cluster carry no token");
    assertEquals("member", json(formation).path("phase").asText());
    assertEquals("n1", json(formation).path("voters").get(0).path("id").asText());
    assertEquals(
        401, call(routes, "GET", "/v1/services", null, null).status(), "reads need a token");
    assertEquals(200, call(routes, "GET", "/v1/services", null, reader).status());
    assertEquals(403, call(routes, "PUT", "/v1/services/ns-a/web", SERVICE, reader).status());
    assertEquals(201, call(routes, "PUT", "/v1/services/ns-a/web", SERVICE, writer).status());
    ApiResponse other = call(routes, "PUT", "/v1/services/NS-B/web", SERVICE, writer);
    assertEquals(403, other.status());
    assertTrue(json(other).get("message").asText().contains("write:ns-b"), json(other).toString());
    assertEquals(
        400,
        call(routes, "PUT", "/v1/services/bad_ns/web", SERVICE, writer).status(),
        "a bad name is named before any scope is checked");
    ApiResponse batch =
        call(
            routes,
            "POST",
            "/v1/batch",
            "{\"operations\":[{\"op\":\"delete\",\"namespace\":" + "\"ns-b\",\"name\":\"x\"}]}",
            writer);
    assertEquals(403, batch.status());
    ApiResponse remove = call(routes, "DELETE", "/v1/cluster/members/n1", null, writer);
    assertEquals(403, remove.status());
    assertTrue(
        json(remove).get("message").asText().contains("lacks scope admin"),
        json(remove).toString());
    assertEquals(200, call(routes, "POST", "/v1/cluster/snapshot", null, admin).status());
    assertEquals(403, call(routes, "PUT", "/v1/services/ns-a/x", SERVICE, admin).status());
    assertEquals(
        403,
        call(routes, "POST", "/v1/leases", "{\"ttl\":\"5s\"}", reader).status(),
        "leases need a write scope");
    ApiResponse adminLease = call(routes, "POST", "/v1/leases", "{\"ttl\":\"5s\"}", admin);
    assertEquals(403, adminLease.status());
    assertTrue(
        json(adminLease).get("message").asText().contains("any write scope"),
        json(adminLease).toString());
    assertEquals(
        201,
        call(routes, "POST", "/v1/leases", "{\"ttl\":\"5s\"}", writer).status(),
        "any namespace's write scope will do");
    assertEquals(200, call(routes, "PUT", "/v1/leases/1/keepalive", null, writer).status());
    assertEquals(200, call(routes, "GET", "/v1/leases/1", null, reader).status());
    assertEquals(403, call(routes, "DELETE", "/v1/leases/1", null, reader).status());
    assertEquals(
        403,
        call(
                routes,
                "PUT",
                "/v1/services/ns-b/web/endpoints/10.0.0.1/health",
                "{\"health\":\"critical\"}",
                writer)
            .status());
    assertEquals(
        403,
        call(routes, "GET", "/v1/cluster/snapshot", null, reader).status(),
        "a download needs admin");
    ApiResponse download = call(routes, "GET", "/v1/cluster/snapshot", null, admin);
    assertEquals(200, download.status());
    download.stream().abandon();

    assertEquals(
        List.of(
            "reader PUT /v1/services/ns-a/web put ns-a/web 403",
            "writer-a PUT /v1/services/ns-a/web put ns-a/web 201",
            "writer-a PUT /v1/services/NS-B/web put NS-B/web 403",
            "writer-a PUT /v1/services/bad_ns/web put bad_ns/web 400",
            "writer-a POST /v1/batch delete ns-b/x 403",
            "writer-a DELETE /v1/cluster/members/n1 member-remove n1 403",
            "admin POST /v1/cluster/snapshot snapshot - 200",
            "admin PUT /v1/services/ns-a/x put ns-a/x 403",
            "reader POST /v1/leases lease-grant - 403",
            "admin POST /v1/leases lease-grant - 403",
            "writer-a POST /v1/leases lease-grant 0000000000000001 201",
            "reader DELETE /v1/leases/1 lease-revoke 1 403",
            "writer-a PUT /v1/services/ns-b/web/endpoints/10.0.0.1/health health ns-b/web/10.0.0.1 403",
            "reader GET /v1/cluster/snapshot snapshot-download - 403",
            "admin GET /v1/cluster/snapshot snapshot-download - 200"),
        auditLines());
  }

  @Test
  void writesThatWereNotSentAre503AndUnknownOutcomesAre504AndFailedReads503() throws IOException {
    ApiRoutes routes = routes(ApiAuth.none());
    node.failWritesWith(new WriteResult.NotSent("no leader"));
    ApiResponse notSent = call(routes, "PUT", "/v1/services/shop/cart", SERVICE, null);
    assertEquals(503, notSent.status());
    assertEquals("no_quorum", json(notSent).get("error").asText());
    assertEquals("1", notSent.headers().get("Retry-After"));
    node.failWritesWith(new WriteResult.Unknown("timed out"));
    ApiResponse unknown = call(routes, "DELETE", "/v1/services/shop/cart", null, null);
    assertEquals(504, unknown.status());
    assertEquals("outcome_unknown", json(unknown).get("error").asText());
    node.loseQuorum();
    assertEquals(503, call(routes, "GET", "/v1/services/shop/cart", null, null).status());
    assertEquals(
        404,
        call(routes, "GET", "/v1/services/shop/cart?stale", null, null).status(),
        "a stale read answers from the replica");
    ApiResponse noBarrier = call(routes, "GET", "/v1/cluster/snapshot", null, null);
    assertEquals(
        503, noBarrier.status(), "a download holds every acknowledged write, or none is sent");
    assertEquals(null, noBarrier.stream());
    ApiResponse stale = call(routes, "GET", "/v1/cluster/snapshot?stale", null, null);
    assertEquals(200, stale.status(), "?stale downloads the replica as it is");
    stale.stream().abandon();
  }

  @ParameterizedTest(name = "{0} {1} {2} -> 400 {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "POST | /v1/leases | {}                     | ttl",
        "POST | /v1/leases | {\"ttl\":\"4s\"}       | ttl",
        "POST | /v1/leases | {\"ttl\":\"61m\"}      | ttl",
        "POST | /v1/leases | {\"ttl\":\"soon\"}     | ttl",
        "POST | /v1/leases | {\"ttl\":4}            | ttl",
        "POST | /v1/leases | {\"ttl\":-15}          | ttl",
        "POST | /v1/leases | {\"ttl\":15.5}         | ttl",
        "POST | /v1/leases | {\"ttl\":true}         | ttl",
        "POST | /v1/leases | {\"ttl\":\"15s\",\"id\":\"1\"} | id",
        "PUT  | /v1/leases/xyz/keepalive | -        | lease",
        "PUT  | /v1/leases/0/keepalive | -          | lease",
        "GET  | /v1/leases/10000000000000000 | -    | lease",
        "DELETE | /v1/leases/-1 | -                 | lease",
        "PUT  | /v1/services/shop/cart | {\"headless\":\"yes\"} | headless",
        "PUT  | /v1/services/shop/cart | {\"headless\":true,\"vip4\":\"240.0.0.9\"} | vip4",
        "PUT  | /v1/services/shop/cart | {\"endpoints\":[{\"address\":\"10.0.0.1\",\"health\":\"ok\"}]} | endpoints[0].health",
        "PUT  | /v1/services/shop/cart | {\"endpoints\":[{\"address\":\"10.0.0.1\",\"health\":1}]} | endpoints[0].health",
        "PUT  | /v1/services/shop/cart | {\"endpoints\":[{\"address\":\"10.0.0.1\",\"lease\":\"g\"}]} | endpoints[0].lease",
        "PUT  | /v1/services/shop/cart | {\"endpoints\":[{\"address\":\"10.0.0.1\",\"lease\":12}]} | endpoints[0].lease",
        "PUT  | /v1/services/shop/cart/endpoints/10.0.0.1:8080/health | {\"health\":\"sick\"} | health",
        "PUT  | /v1/services/shop/cart/endpoints/10.0.0.1:8080/health | {}  | health",
        "PUT  | /v1/services/shop/cart/endpoints/10.0.0.1:8080/health | {\"health\":\"critical\",\"x\":1} | x",
        "PUT  | /v1/services/shop/cart/endpoints/10.0.0.1:http/health | {\"health\":\"critical\"} | endpoint",
        "PUT  | /v1/services/shop/cart/endpoints/10.0.0.1:0/health | {\"health\":\"critical\"} | endpoint",
        "PUT  | /v1/services/shop/cart/endpoints/[fd00::1/health | {\"health\":\"critical\"} | endpoint",
        "PUT  | /v1/services/shop/cart/endpoints/bad..host/health | {\"health\":\"critical\"} | endpoint",
      })
  void badLeaseHealthAndHeadlessInputIs400NamingTheFieldAndChangesNothing(
      String method, String path, String body, String field) throws IOException {
    ApiRoutes routes = routes(ApiAuth.none());
    call(routes, "PUT", "/v1/services/shop/cart", WITH_ENDPOINT, null);
    call(routes, "POST", "/v1/leases", "{\"ttl\":\"5s\"}", null);
    long revision = node.view().revision();
    ApiResponse resp = call(routes, method, path, "-".equals(body) ? null : body, null);
    assertEquals(400, resp.status(), new String(resp.body(), StandardCharsets.UTF_8));
    assertEquals("invalid", json(resp).get("error").asText());
    assertEquals(field, json(resp).get("field").asText(), json(resp).toString());
    assertEquals(revision, node.view().revision(), "nothing changed");
    assertEquals(
        200, call(routes, "GET", "/v1/leases/1", null, null).status(), "the lease is still there");
  }

  @Test
  void leasesAndHealthReadBackAsTheyWereSent() throws IOException {
    ApiRoutes routes = routes(ApiAuth.none());
    ApiResponse granted = call(routes, "POST", "/v1/leases", "{\"ttl\":\"2m\"}", null);
    assertEquals(
        "{\"id\":\"0000000000000001\",\"ttl\":\"120s\",\"ttlMillis\":120000}",
        json(granted).toString());
    ApiResponse put =
        call(
            routes,
            "PUT",
            "/v1/services/shop/db",
            "{\"headless\":true,\"endpoints\":[{\"address\":"
                + "\"FD00::1\",\"port\":5432,\"health\":\"Warning\",\"lease\":\"1\"},{\"address\":\"10.0.0.2\"}]}",
            null);
    assertEquals(201, put.status(), json(put).toString());
    JsonNode s = json(put);
    assertTrue(s.get("headless").asBoolean());
    assertTrue(s.get("vip4").isNull());
    assertEquals(
        "{\"address\":\"fd00::1\",\"port\":5432,\"health\":\"warning\",\"lease\":\"0000000000000001\"}",
        s.get("endpoints").get(0).toString());
    assertEquals(
        "{\"address\":\"10.0.0.2\",\"health\":\"passing\"}", s.get("endpoints").get(1).toString());
    ApiResponse health =
        call(
            routes,
            "PUT",
            "/v1/services/shop/db/endpoints/[fd00::1]:5432/health",
            "{\"health\":\"critical\"}",
            null);
    assertEquals(200, health.status(), json(health).toString());
    assertEquals("critical", json(health).get("endpoints").get(0).get("health").asText());
    ApiResponse missing =
        call(
            routes,
            "PUT",
            "/v1/services/shop/db/endpoints/[fd00::1]:5433/health",
            "{\"health\":\"critical\"}",
            null);
    assertEquals(404, missing.status());
    assertEquals("endpoint", json(missing).get("field").asText());
    ApiResponse revoked = call(routes, "DELETE", "/v1/leases/0000000000000001", null, null);
    assertEquals("0000000000000001", json(revoked).get("id").asText());
    ApiResponse gone = call(routes, "PUT", "/v1/leases/1/keepalive", null, null);
    assertEquals(404, gone.status());
    assertEquals("lease", json(gone).get("field").asText());
  }

  @Test
  void everyRouteIsDeclaredOnceWithAMetricAndOnlyChangesAreAudited() {
    RouteTable table = ApiRoutes.table(node, hub(), Runnable::run, () -> "");
    Set<String> seen = new HashSet<>();
    for (Route r : table.routes()) {
      assertTrue(seen.add(r.method() + " " + r.path()), "declared once: " + r);
      assertNotNull(r.metric(), r.toString());
      assertTrue(r.metric().matches("[a-z]+"), "a fixed name, never a path: " + r.metric());
      if (r.method().equals("GET") && r.metric().equals("snapshot")) {
        assertEquals("snapshot-download", r.audit(), "a download of the whole registry is audited");
        assertEquals(Access.Kind.ADMIN, r.access().kind());
      } else if (r.method().equals("GET") || r.path().text().endsWith("/keepalive")) {
        // A keepalive changes nothing replicated (the leader moves a deadline in memory): audited
        // like a read.
        assertNull(r.audit(), "reads are not audited: " + r);
      } else {
        assertNotNull(r.audit(), "changes are audited: " + r);
        assertTrue(
            r.access().kind() != Access.Kind.OPEN && r.access().kind() != Access.Kind.READ,
            "a change needs a write or admin scope: " + r);
      }
    }
    assertEquals(22, table.routes().size());
  }

  @Test
  void theMetricsListenerServesHealthReadinessAndMetricsOnlyWithoutAuthentication()
      throws IOException {
    ApiRoutes plain = ApiRoutes.healthOnly(node, () -> "# metrics\n");
    assertEquals(200, call(plain, "GET", "/healthz", null, null).status());
    assertEquals(200, call(plain, "GET", "/readyz", null, null).status());
    ApiResponse metrics = call(plain, "GET", "/metrics", null, null);
    assertEquals(200, metrics.status());
    assertEquals("# metrics\n", new String(metrics.body(), StandardCharsets.UTF_8));
    for (String path :
        List.of(
            "/v1/services",
            "/v1/cluster",
            "/v1/cluster/formation",
            "/v1/cluster/snapshot",
            "/v1/watch")) {
      assertEquals(404, call(plain, "GET", path, null, null).status(), path);
    }
    assertEquals(404, call(plain, "PUT", "/v1/services/shop/cart", SERVICE, null).status());
    assertEquals(3, plain.table().routes().size());
  }
}
