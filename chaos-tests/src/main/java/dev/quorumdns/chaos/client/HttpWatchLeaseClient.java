package dev.quorumdns.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link WatchLeaseApi} over the node's HTTP API. A watch is read line by line on the calling
 * thread; a watchdog closes the stream (and interrupts the reader) when it goes idle or is stopped,
 * since a partitioned node sends nothing and closes nothing. Lease writes (grant, revoke, register)
 * that time out are {@code info}; a keepalive that times out is {@code info} too (it may have
 * renewed). Thread-safe.
 */
public final class HttpWatchLeaseClient implements WatchLeaseApi, AutoCloseable {
  private final Function<String, URI> baseUri;
  private final Duration timeout;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "watch-watchdog");
            t.setDaemon(true);
            return t;
          });

  public HttpWatchLeaseClient(Function<String, URI> baseUri, Duration timeout) {
    this.baseUri = baseUri;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  @Override
  public WatchEnd watch(
      String node,
      long from,
      Duration idle,
      Runnable onConnected,
      Consumer<WatchLine> sink,
      BooleanSupplier stop) {
    HttpRequest request =
        HttpRequest.newBuilder(baseUri.apply(node).resolve("/v1/watch?from=" + from))
            .timeout(timeout)
            .GET()
            .build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      return new WatchEnd("unreachable", false, null, e.toString());
    } catch (HttpTimeoutException e) {
      return new WatchEnd("timeout", false, null, e.toString());
    } catch (IOException e) {
      return new WatchEnd("io", false, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new WatchEnd("stopped", false, null, "interrupted");
    }
    InputStream body = response.body();
    if (response.statusCode() != 200) {
      try (body) {
        JsonNode tree = json.readTree(body.readAllBytes());
        if (response.statusCode() == 410) {
          return new WatchEnd("gone", false, tree.path("oldestRevision").asLong(), null);
        }
        return new WatchEnd(
            tree.path("error").asText("http_" + response.statusCode()),
            false,
            null,
            response.statusCode() + " " + tree.path("message").asText(""));
      } catch (IOException e) {
        return new WatchEnd("http_" + response.statusCode(), false, null, e.toString());
      }
    }
    onConnected.run();
    AtomicLong lastLine = new AtomicLong(System.nanoTime());
    Thread reader = Thread.currentThread();
    boolean[] killed = {false};
    ScheduledFuture<?> guard =
        watchdog.scheduleWithFixedDelay(
            () -> {
              if (stop.getAsBoolean() || System.nanoTime() - lastLine.get() > idle.toNanos()) {
                synchronized (killed) {
                  killed[0] = true;
                }
                try {
                  body.close();
                } catch (IOException e) {
                  // closing is best effort; the interrupt below ends the read
                }
                reader.interrupt();
              }
            },
            200,
            200,
            TimeUnit.MILLISECONDS);
    String result;
    String error = null;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lastLine.set(System.nanoTime());
        if (line.isBlank()) {
          continue;
        }
        sink.accept(parse(json.readTree(line)));
      }
      result = "closed";
    } catch (IOException | RuntimeException e) {
      result = "io";
      error = e.toString();
    } finally {
      guard.cancel(false);
    }
    synchronized (killed) {
      if (killed[0]) {
        Thread.interrupted(); // the watchdog's interrupt is for this read only
        result = stop.getAsBoolean() ? "stopped" : "idle";
      }
    }
    return new WatchEnd(result, true, null, error);
  }

  private static WatchLine parse(JsonNode t) {
    String type = t.path("type").asText();
    long revision = t.path("revision").asLong();
    if ("put".equals(type) || "delete".equals(type)) {
      JsonNode s = t.path("service");
      List<String> endpoints = new ArrayList<>();
      s.path("endpoints")
          .forEach(e -> endpoints.add(e.path("address").asText() + ":" + e.path("port").asInt()));
      endpoints.sort(null);
      String vip = s.path("vip4").isTextual() ? s.path("vip4").asText() : null;
      return new WatchLine(
          type,
          revision,
          s.path("namespace").asText() + "/" + s.path("name").asText(),
          String.join(",", endpoints),
          vip,
          null,
          null);
    }
    return new WatchLine(
        type,
        revision,
        null,
        null,
        null,
        t.path("error").isMissingNode() ? null : t.path("error").asText(),
        t.has("oldestRevision") ? t.path("oldestRevision").asLong() : null);
  }

  @Override
  public LeaseReply grant(String node, Duration ttl) {
    ObjectNode body = json.createObjectNode().put("ttl", ttl.toSeconds() + "s");
    return call(
        request(node, "/v1/leases")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json")
            .build(),
        true,
        (status, t) ->
            status == 201 ? LeaseReply.ok("granted", t.path("id").asText(), null) : null);
  }

  @Override
  public LeaseReply keepAlive(String node, String id) {
    return call(
        request(node, "/v1/leases/" + id + "/keepalive")
            .PUT(HttpRequest.BodyPublishers.noBody())
            .build(),
        true,
        (status, t) ->
            switch (status) {
              case 200 -> LeaseReply.ok("renewed", id, null);
              case 404 -> LeaseReply.ok("not_found", id, null);
              default -> null;
            });
  }

  @Override
  public LeaseReply read(String node, String id) {
    return call(
        request(node, "/v1/leases/" + id).GET().build(),
        false,
        (status, t) ->
            switch (status) {
              case 200 -> LeaseReply.ok("found", id, null);
              case 404 -> LeaseReply.ok("not_found", id, null);
              default -> null;
            });
  }

  @Override
  public LeaseReply revoke(String node, String id) {
    return call(
        request(node, "/v1/leases/" + id).DELETE().build(),
        true,
        (status, t) ->
            switch (status) {
              case 200 -> LeaseReply.ok("revoked", id, null);
              case 404 -> LeaseReply.ok("not_found", id, null);
              default -> null;
            });
  }

  @Override
  public LeaseReply register(
      String node, String name, String plainEndpoint, String leasedEndpoint, String id) {
    ObjectNode body = json.createObjectNode();
    body.putArray("ports").addObject().put("name", "http").put("protocol", "tcp").put("port", 80);
    var endpoints = body.putArray("endpoints");
    endpoint(endpoints.addObject(), plainEndpoint);
    endpoint(endpoints.addObject(), leasedEndpoint).put("lease", id);
    body.putObject("labels");
    String[] key = ServiceSpec.key(name);
    return call(
        request(node, "/v1/services/" + key[0] + "/" + key[1])
            .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json")
            .build(),
        true,
        (status, t) ->
            status / 100 == 2
                ? LeaseReply.ok(
                    "registered", id, t.path("vip4").isTextual() ? t.path("vip4").asText() : null)
                : null);
  }

  private static ObjectNode endpoint(ObjectNode o, String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    return o.put("address", endpoint.substring(0, colon))
        .put("port", Integer.parseInt(endpoint.substring(colon + 1)));
  }

  private interface Decoder {
    LeaseReply decode(int status, JsonNode body);
  }

  private LeaseReply call(HttpRequest request, boolean write, Decoder decoder) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      return LeaseReply.fail("unreachable", e.toString());
    } catch (HttpTimeoutException e) {
      return write
          ? LeaseReply.info("timeout", e.toString())
          : LeaseReply.fail("timeout", e.toString());
    } catch (IOException e) {
      return write ? LeaseReply.info("io", e.toString()) : LeaseReply.fail("io", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return LeaseReply.info("interrupted", "interrupted");
    }
    int status = response.statusCode();
    JsonNode tree;
    try {
      tree = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
    } catch (IOException e) {
      return write && status / 100 != 4
          ? LeaseReply.info("bad_response", status + ": " + e)
          : LeaseReply.fail("bad_response", status + ": " + e);
    }
    LeaseReply decoded = decoder.decode(status, tree);
    if (decoded != null) {
      return decoded;
    }
    String code = tree.path("error").asText("http_" + status);
    String message = status + " " + tree.path("message").asText("");
    if (status == 504 || status / 100 == 5 && status != 503 && write) {
      return LeaseReply.info(code, message);
    }
    return LeaseReply.fail(code, message);
  }

  private HttpRequest.Builder request(String node, String path) {
    return HttpRequest.newBuilder(baseUri.apply(node).resolve(path)).timeout(timeout);
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
  }
}
