package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.node.config.ApiAccess;
import dev.quorumdns.node.config.WatchLimits;
import dev.quorumdns.node.runtime.NodeRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A node's HTTP API on 127.0.0.1 (an ephemeral port) serving a runtime, with a small client. For
 * tests of what only the real server does (headers, streams, connection handling).
 */
final class ApiHarness implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpApi api;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ApiHarness(NodeRuntime node, Path dir, WatchLimits watch) {
    ApiAccess access =
        new ApiAccess(
            null, null, dir.resolve("audit.log"), Duration.ofSeconds(10), 4096, 2048, watch);
    api = HttpApi.open(access, Clock.systemUTC());
    try {
      api.start(node, new InetSocketAddress("127.0.0.1", 0), meters, () -> "", null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  InetSocketAddress address() {
    return api.address();
  }

  SimpleMeterRegistry meters() {
    return meters;
  }

  /** Status, headers and parsed body (null when empty) of one call. */
  record Reply(int status, Map<String, java.util.List<String>> headers, JsonNode body) {
    String header(String name) {
      return headers
          .getOrDefault(name.toLowerCase(java.util.Locale.ROOT), java.util.List.of())
          .stream()
          .findFirst()
          .orElse(null);
    }
  }

  Reply call(String method, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address().getPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(
          r.statusCode(), r.headers().map(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    api.close();
  }
}
