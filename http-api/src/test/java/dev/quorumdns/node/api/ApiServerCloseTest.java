package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.api.watch.WatchHub;
import dev.quorumdns.node.config.ApiAccess;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.config.WatchLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the API lets a request already being handled answer: a leader removed through its own API
 * stops right after the removal, and the caller must still learn that it happened.
 */
class ApiServerCloseTest {
  @TempDir Path dir;

  private static ApiServer server(FakeRuntime node, AuditLog audit) {
    WatchHub hub =
        new WatchHub(
            node, WatchLimits.defaults(), new SimpleMeterRegistry(), new SplittableRandom(1));
    return new ApiServer(
        new InetSocketAddress("127.0.0.1", 0),
        new ApiRoutes(node, hub, Runnable::run, () -> "", ApiAuth.none(), audit),
        new SimpleMeterRegistry(),
        new ApiAccess(
            null, null, null, ApiAccess.DEFAULT_REQUEST_TIMEOUT, 16, 16, WatchLimits.defaults()),
        null);
  }

  @Test
  void aRequestBeingHandledWhenTheServerClosesIsStillAnswered() throws Exception {
    FakeRuntime node = new FakeRuntime();
    node.addMember("n2", new HostPort("127.0.0.1", 9053), false).get();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    node.holdRemovalsUntil(gate);
    AuditLog audit = AuditLog.open(dir.resolve("audit.log"), Clock.systemUTC());
    ApiServer server = server(node, audit);
    server.start();
    HttpClient http = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> reply =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + server.address().getPort()
                            + "/v1/cluster/members/n2"))
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (node.removalsAsked() == 0) {
      assertTrue(System.nanoTime() < deadline, "the removal never reached the node");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }

    Thread closer = new Thread(server::close, "closer");
    closer.start();
    // Closing waits for the answer; without that it is done at once, connections dropped.
    closer.join(Duration.ofSeconds(1).toMillis());
    assertTrue(closer.isAlive(), "close() returned while a request was still being handled");
    gate.complete(null);
    HttpResponse<String> r = reply.get(10, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.body());
    assertFalse(r.body().contains("\"n2\""), r.body());
    closer.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(closer.isAlive(), "close() did not return once the request was answered");
    audit.close();
  }

  @Test
  void closeDoesNotWaitWhenNothingIsBeingHandled() throws IOException, InterruptedException {
    AuditLog audit = AuditLog.open(dir.resolve("audit.log"), Clock.systemUTC());
    ApiServer server = server(new FakeRuntime(), audit);
    server.start();
    Thread closer = new Thread(server::close, "closer");
    closer.start();
    closer.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(closer.isAlive(), "close() waited with no request in progress");
    audit.close();
  }
}
