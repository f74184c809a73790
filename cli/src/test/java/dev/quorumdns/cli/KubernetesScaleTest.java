package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The preStop decision against a stand-in Kubernetes API: leave only when the pod is scaled away.
 */
class KubernetesScaleTest {
  private HttpServer api;
  private final AtomicReference<String> statefulSet = new AtomicReference<>();
  private final AtomicReference<String> asked = new AtomicReference<>();

  @BeforeEach
  void start() throws IOException {
    api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext(
        "/",
        ex -> {
          asked.set(
              ex.getRequestURI().getPath()
                  + " "
                  + ex.getRequestHeaders().getFirst("Authorization"));
          String body = statefulSet.get();
          byte[] b =
              body == null
                  ? "{\"kind\":\"Status\",\"code\":404}".getBytes(StandardCharsets.UTF_8)
                  : body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop(0);
  }

  private KubernetesScale.Decision check(String pod) throws InterruptedException {
    return new KubernetesScale(
            "http://127.0.0.1:" + api.getAddress().getPort(), "dns", "t0ken", null)
        .check(pod);
  }

  @Test
  void aPodAtOrAboveTheReplicasLeavesAndOneBelowStays() throws InterruptedException {
    statefulSet.set("{\"spec\":{\"replicas\":3}}");
    KubernetesScale.Decision away = check("quorumdns-3");
    assertTrue(away.leave(), away.reason());
    assertEquals("/apis/apps/v1/namespaces/dns/statefulsets/quorumdns Bearer t0ken", asked.get());
    KubernetesScale.Decision restarted = check("quorumdns-2");
    assertFalse(restarted.leave(), restarted.reason());
    assertTrue(restarted.reason().contains("a restart, not a scale-down"), restarted.reason());
  }

  @Test
  void staysWhenItCannotTell() throws InterruptedException {
    assertFalse(check("quorumdns-4").leave(), "StatefulSet deleted: not a scale-down");
    assertFalse(check("standalone").leave(), "not a StatefulSet pod");
    api.stop(0);
    KubernetesScale.Decision unreachable = check("quorumdns-4");
    assertFalse(unreachable.leave());
    assertTrue(unreachable.reason().contains("staying"), unreachable.reason());
  }
}
