package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.config.WatchLimits;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes over HTTP: {@code If-Match} (the {@code ETag} of an answer), {@code
 * If-None-Match: *}, {@code ?cas=R} and a batch operation's {@code ifMatch}/{@code ifNoneMatch}; a
 * precondition that does not hold is 412 {@code precondition_failed} naming what the client sent,
 * with the service's current revision, and changes nothing; malformed or combined preconditions are
 * 400 naming the field.
 */
@Timeout(60)
class ConditionalWritesApiTest {
  private static final String BODY =
      "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}]}";
  private static final String OTHER =
      "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":81}]}";

  @TempDir Path dir;
  private RegistryRuntime node;
  private ApiHarness api;

  @BeforeEach
  void start() {
    node = new RegistryRuntime(dir.resolve("state"));
    api = new ApiHarness(node, dir, WatchLimits.defaults());
  }

  @AfterEach
  void stop() {
    api.close();
    node.close();
  }

  private void preconditionFailed(ApiHarness.Reply r, String field, long current) {
    assertEquals(412, r.status(), r.body().toString());
    assertEquals("precondition_failed", r.body().get("error").asText());
    assertEquals(field, r.body().get("field").asText());
    assertEquals(current, r.body().get("revision").asLong(), r.body().toString());
  }

  @Test
  void createOnlyThenUpdateAtTheRevisionRead() {
    ApiHarness.Reply created = api.call("PUT", "/v1/services/a/web", BODY, "If-None-Match", "*");
    assertEquals(201, created.status());
    String etag = created.header("ETag");
    long r1 = created.body().get("revision").asLong();
    assertEquals("\"" + r1 + "\"", etag);
    preconditionFailed(
        api.call("PUT", "/v1/services/a/web", BODY, "If-None-Match", "*"), "If-None-Match", r1);

    ApiHarness.Reply updated = api.call("PUT", "/v1/services/a/web", OTHER, "If-Match", etag);
    assertEquals(200, updated.status());
    long r2 = updated.body().get("revision").asLong();
    long before = node.view().revision();
    ApiHarness.Reply stale = api.call("PUT", "/v1/services/a/web", BODY, "If-Match", etag);
    preconditionFailed(stale, "If-Match", r2);
    assertTrue(
        stale.body().get("message").asText().contains("revision " + r1), stale.body().toString());
    assertEquals(before, node.view().revision(), "nothing changed");
    assertEquals(
        81,
        api.call("GET", "/v1/services/a/web", null).body().get("ports").get(0).get("port").asInt());

    assertEquals(
        200,
        api.call("PUT", "/v1/services/a/web", BODY, "If-Match", Long.toString(r2)).status(),
        "unquoted too");
    preconditionFailed(api.call("PUT", "/v1/services/a/new", BODY, "If-Match", "*"), "If-Match", 0);
    assertEquals(200, api.call("PUT", "/v1/services/a/web", BODY, "If-Match", "*").status());
  }

  @Test
  void casParameterAndDeletes() {
    assertEquals(201, api.call("PUT", "/v1/services/a/web?cas=0", BODY).status());
    long r1 = node.view().get(new dev.quorumdns.registry.ServiceKey("a", "web")).revision();
    preconditionFailed(api.call("PUT", "/v1/services/a/web?cas=0", BODY), "cas", r1);
    preconditionFailed(api.call("DELETE", "/v1/services/a/web?cas=" + (r1 + 1), null), "cas", r1);
    preconditionFailed(
        api.call("DELETE", "/v1/services/a/web", null, "If-Match", "\"" + (r1 - 1) + "\""),
        "If-Match",
        r1);
    assertEquals(
        200, api.call("DELETE", "/v1/services/a/web", null, "If-Match", "\"" + r1 + "\"").status());
    preconditionFailed(api.call("DELETE", "/v1/services/a/web?cas=" + r1, null), "cas", 0);
    assertEquals(
        404,
        api.call("DELETE", "/v1/services/a/web", null).status(),
        "unconditional: 404 as before");
  }

  @Test
  void aBatchWithAFailedPreconditionAppliesNothing() {
    long r1 = api.call("PUT", "/v1/services/a/web", BODY).body().get("revision").asLong();
    String batch =
        "{\"operations\":["
            + "{\"op\":\"put\",\"namespace\":\"a\",\"name\":\"api\",\"service\":{},\"ifNoneMatch\":\"*\"},"
            + "{\"op\":\"delete\",\"namespace\":\"a\",\"name\":\"web\",\"ifMatch\":"
            + (r1 + 7)
            + "}]}";
    long before = node.view().revision();
    preconditionFailed(api.call("POST", "/v1/batch", batch), "operations[1].ifMatch", r1);
    assertEquals(before, node.view().revision());
    assertEquals(
        404, api.call("GET", "/v1/services/a/api", null).status(), "nothing of the batch applied");
    String ok = batch.replace("\"ifMatch\":" + (r1 + 7), "\"ifMatch\":\"" + r1 + "\"");
    ApiHarness.Reply applied = api.call("POST", "/v1/batch", ok);
    assertEquals(200, applied.status(), applied.body().toString());
    assertEquals(
        List.of("created", "deleted"),
        List.of(
            applied.body().get("results").get(0).get("result").asText(),
            applied.body().get("results").get(1).get("result").asText()));
  }

  @Test
  void badPreconditionsAre400NamingThem() {
    api.call("PUT", "/v1/services/a/web", BODY);
    record Case(String method, String path, String body, String field, String... headers) {}
    for (Case c :
        List.of(
            new Case("PUT", "/v1/services/a/web", BODY, "If-Match", "If-Match", "abc"),
            new Case("PUT", "/v1/services/a/web", BODY, "If-Match", "If-Match", "0"),
            new Case("PUT", "/v1/services/a/web", BODY, "If-Match", "If-Match", "\"1\", \"2\""),
            new Case("PUT", "/v1/services/a/web", BODY, "If-None-Match", "If-None-Match", "\"3\""),
            new Case("DELETE", "/v1/services/a/web", null, "If-None-Match", "If-None-Match", "*"),
            new Case("PUT", "/v1/services/a/web?cas=-1", BODY, "cas"),
            new Case("PUT", "/v1/services/a/web?cas=x", BODY, "cas"),
            new Case("DELETE", "/v1/services/a/web?cas=0", null, "cas"),
            new Case("PUT", "/v1/services/a/web?cas=3", BODY, "cas", "If-Match", "3"),
            new Case(
                "POST",
                "/v1/batch",
                "{\"operations\":[{\"op\":\"delete\",\"namespace\":\"a\",\"name\":\"web\","
                    + "\"ifNoneMatch\":\"*\"}]}",
                "operations[0].ifNoneMatch"),
            new Case(
                "POST",
                "/v1/batch",
                "{\"operations\":[{\"op\":\"put\",\"namespace\":\"a\",\"name\":\"web\","
                    + "\"service\":{},\"ifMatch\":true}]}",
                "operations[0].ifMatch"),
            new Case(
                "POST",
                "/v1/batch",
                "{\"operations\":[{\"op\":\"put\",\"namespace\":\"a\",\"name\":\"web\","
                    + "\"service\":{},\"ifMatch\":3,\"ifNoneMatch\":\"*\"}]}",
                "operations[0].ifNoneMatch"))) {
      long before = node.view().revision();
      ApiHarness.Reply r = api.call(c.method(), c.path(), c.body(), c.headers());
      assertEquals(400, r.status(), c + " " + r.body());
      assertEquals(c.field(), r.body().get("field").asText(), c.toString());
      assertEquals(before, node.view().revision(), "nothing changed: " + c);
    }
  }
}
