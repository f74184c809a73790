package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code quorumdns watch} against a scripted node (the JDK's HTTP server on 127.206.0.1): it
 * resumes a broken or dropped stream from the last revision it printed whole, prints every change
 * once even when a revision was cut in two, and exits 1 on 410. Also the conditional options of
 * {@code register} and {@code deregister}.
 */
@Timeout(30)
class WatchCommandTest {
  private HttpServer server;

  /** One answer per request, in order; each writes what the node would. */
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();

  @FunctionalInterface
  private interface Answer {
    void write(HttpExchange x) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.206.0.1"), 0), 16);
    server.createContext(
        "/",
        x -> {
          requests.add(x.getRequestMethod() + " " + x.getRequestURI());
          headers.add(x.getRequestHeaders());
          Answer a = script.poll();
          try (x) {
            if (a == null) {
              x.sendResponseHeaders(500, -1);
            } else {
              a.write(x);
            }
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String address() {
    return "127.206.0.1:" + server.getAddress().getPort();
  }

  /** A stream that starts at {@code start} and sends {@code lines}, then ends. */
  private static Answer stream(long start, String... lines) {
    return x -> {
      x.getResponseHeaders().add("Content-Type", "application/x-ndjson");
      x.getResponseHeaders().add("X-QuorumDNS-Revision", Long.toString(start));
      x.sendResponseHeaders(200, 0);
      OutputStream out = x.getResponseBody();
      for (String l : lines) {
        out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    };
  }

  private static Answer json(int status, String body) {
    return x -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(status, b.length);
      x.getResponseBody().write(b);
    };
  }

  private static String change(long revision, String type, String ns, String name) {
    return "{\"revision\":"
        + revision
        + ",\"type\":\""
        + type
        + "\",\"service\":{\"namespace\":\""
        + ns
        + "\",\"name\":\""
        + name
        + "\",\"vip4\":\"240.0.0.1\",\"ports\":[]}}";
  }

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--server");
    all.add(address());
    int code =
        Main.run(
            all.toArray(new String[0]),
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyChangeOnceAcrossABrokenStreamADropAndTheEndAt410() {
    script.add(stream(4, change(5, "put", "a", "x"), change(6, "put", "a", "y")));
    script.add(
        stream(
            5,
            change(6, "put", "a", "y"),
            change(6, "delete", "a", "z"),
            "{\"type\":\"progress\",\"revision\":7}",
            "{\"type\":\"dropped\",\"revision\":7,\"error\":\"too_slow\",\"message\":\"resume with from=7\"}"));
    script.add(stream(7, change(8, "put", "b", "w")));
    script.add(
        json(
            410,
            "{\"error\":\"gone\",\"field\":\"from\",\"message\":\"from: too old\",\"revision\":99,"
                + "\"oldestRevision\":50}"));
    Run r = run("watch", "--from", "4", "--namespace", "A");
    assertEquals(1, r.code(), r.err());
    assertEquals(
        List.of(
            change(5, "put", "a", "x"),
            change(6, "put", "a", "y"),
            change(6, "delete", "a", "z"),
            change(8, "put", "b", "w")),
        r.out().lines().toList(),
        "each change once, in order");
    assertEquals(
        List.of(
            "GET /v1/watch?from=4&namespace=a",
            "GET /v1/watch?from=5&namespace=a",
            "GET /v1/watch?from=7&namespace=a",
            "GET /v1/watch?from=7&namespace=a"),
        requests,
        "resumed from the last revision printed whole (8 may have had more changes)");
    assertTrue(r.err().contains("410 gone: from: too old"), r.err());
  }

  @Test
  void withoutFromItStartsWhereTheNodeSaysAndPrintsATableForPeople() {
    script.add(stream(10, change(11, "put", "a", "x")));
    script.add(json(403, "{\"error\":\"forbidden\",\"message\":\"lacks scope read\"}"));
    Run r = run("watch", "-o", "table");
    assertEquals(1, r.code(), r.err());
    assertEquals("11 put a/x 240.0.0.1 -\n", r.out());
    assertEquals(List.of("GET /v1/watch", "GET /v1/watch?from=10"), requests);
  }

  @Test
  void registerAndDeregisterSendTheirPreconditions() {
    script.add(json(201, "{\"namespace\":\"a\",\"name\":\"x\",\"revision\":3}"));
    script.add(
        json(
            412,
            "{\"error\":\"precondition_failed\",\"field\":\"If-Match\",\"message\":\"no\","
                + "\"revision\":3}"));
    script.add(json(200, "{\"namespace\":\"a\",\"name\":\"x\",\"revision\":3}"));
    assertEquals(0, run("register", "a/x", "--create-only").code());
    Run refused = run("register", "a/x", "--if-match", "2");
    assertEquals(1, refused.code(), "412 is a refusal");
    assertTrue(refused.out().contains("precondition_failed"), refused.out());
    assertEquals(0, run("deregister", "a/x", "--if-match", "3").code());
    assertEquals(List.of("*"), headers.get(0).get("If-none-match"));
    assertEquals(List.of("\"2\""), headers.get(1).get("If-match"));
    assertEquals(List.of("\"3\""), headers.get(2).get("If-match"));
    assertEquals(2, run("register", "a/x", "--if-match", "2", "--create-only").code());
    assertEquals(2, run("deregister", "a/x", "--if-match", "0").code());
    assertEquals(3, requests.size(), "bad usage sends nothing");
  }
}
