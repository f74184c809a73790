package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.node.config.WatchLimits;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every read answers with the replica's revision ({@code X-QuorumDNS-Revision}, and in the body),
 * and a read with {@code ?index=R} blocks until a change after R touches what it reads: a change
 * elsewhere does not wake it, one already applied answers at once, and {@code wait} running out
 * answers with what is there.
 */
@Timeout(60)
class BlockingReadsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

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

  private long put(String ns, String name, int port) {
    node.apply(
        new Command.UpsertService(
            new ServiceKey(ns, name),
            ServiceSpec.ofPorts(new ServicePort("p", Protocol.TCP, port))));
    return node.view().revision();
  }

  private CompletableFuture<ApiHarness.Reply> async(String path) {
    return CompletableFuture.supplyAsync(() -> api.call("GET", path, null));
  }

  private double waiting() {
    return api.meters().get("quorumdns.watch.blocking.reads").gauge().value();
  }

  /** Waits until the hub has delivered {@code revision} (a watch stream shows it). */
  private void awaitDelivered(WatchStream w, long revision) throws IOException {
    JsonNode line;
    do {
      line = w.nextChange(WAIT);
    } while (line.get("revision").asLong() < revision);
  }

  @Test
  void everyReadCarriesTheReplicasRevision() {
    long r = put("a", "web", 80);
    for (String path :
        List.of(
            "/v1/services",
            "/v1/services?stale",
            "/v1/services/a/web",
            "/v1/records",
            "/v1/cluster",
            "/v1/services/a/none")) {
      ApiHarness.Reply reply = api.call("GET", path, null);
      assertEquals(Long.toString(r), reply.header("X-QuorumDNS-Revision"), path);
      if (!path.equals("/v1/services/a/web")) {
        assertEquals(r, reply.body().get("revision").asLong(), path + " " + reply.body());
      }
    }
    ApiHarness.Reply one = api.call("GET", "/v1/services/a/web", null);
    assertEquals(r, one.body().get("revision").asLong(), "a service's own revision");
    assertEquals(r, one.body().get("createRevision").asLong());
    assertEquals("\"" + r + "\"", one.header("ETag"));
    assertEquals(404, api.call("GET", "/v1/services/a/none", null).status());
  }

  @Test
  void aBlockingReadWakesOnAChangeInItsScopeOnly() throws Exception {
    long r0 = put("a", "web", 80);
    try (WatchStream w = new WatchStream(api.address(), "/v1/watch")) {
      CompletableFuture<ApiHarness.Reply> list =
          async("/v1/services?namespace=a&index=" + r0 + "&wait=30s");
      CompletableFuture<ApiHarness.Reply> one =
          async("/v1/services/a/api?index=" + r0 + "&wait=30s");
      awaitUntil(() -> waiting() == 2, "both reads waiting");
      long other = put("b", "web", 80);
      awaitDelivered(w, other);
      assertEquals(2, waiting(), "a change in namespace b wakes neither");
      assertFalse(list.isDone() || one.isDone());

      long r1 = put("a", "web", 8080);
      ApiHarness.Reply woken = list.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(200, woken.status());
      assertEquals(Long.toString(r1), woken.header("X-QuorumDNS-Revision"));
      assertEquals(
          8080, woken.body().get("services").get(0).get("ports").get(0).get("port").asInt());
      awaitDelivered(w, r1);
      assertFalse(one.isDone(), "another service of the namespace does not wake a read of a/api");

      long r2 = put("a", "api", 9090);
      ApiHarness.Reply created = one.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(200, created.status(), "it was a 404 when it started waiting");
      assertEquals(r2, created.body().get("revision").asLong());
      assertEquals(0, waiting());
    }
  }

  @Test
  void aChangeAlreadyAppliedAnswersAtOnceAndAnExpiredWaitAnswersAsIs() throws Exception {
    long r0 = put("a", "web", 80);
    long r1 = put("b", "x", 80);
    ApiHarness.Reply at =
        async("/v1/services?namespace=a&index=" + (r0 - 1) + "&wait=10m")
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(
        Long.toString(r1),
        at.header("X-QuorumDNS-Revision"),
        "a/web changed after the index: at once");
    ApiHarness.Reply consistent =
        async("/v1/services/a/web?consistent&index=" + (r0 - 1))
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(r0, consistent.body().get("revision").asLong());

    long started = System.nanoTime();
    ApiHarness.Reply expired =
        async("/v1/services?namespace=a&index=" + r1 + "&wait=300ms")
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - started >= Duration.ofMillis(300).toNanos(), "it waited");
    assertEquals(200, expired.status());
    assertEquals(
        Long.toString(r1),
        expired.header("X-QuorumDNS-Revision"),
        "nothing changed: the same answer");
  }

  @Test
  void badBlockingParametersAre400NamingThem() {
    for (String q :
        List.of(
            "wait=5s",
            "index=-1",
            "index=x",
            "index=1&wait=11m",
            "index=1&wait=soon",
            "index=1&wait=-5s")) {
      ApiHarness.Reply r = api.call("GET", "/v1/services?" + q, null);
      assertEquals(400, r.status(), q);
      assertEquals(
          q.contains("wait") && !q.startsWith("index=-") && !q.startsWith("index=x")
              ? "wait"
              : "index",
          r.body().get("field").asText(),
          q);
    }
  }

  /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
  private static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }
}
