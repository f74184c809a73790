package dev.quorumdns.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** A small blocking client of a node's HTTP API, for the CLI and the dev cluster. Thread-safe. */
public final class ApiClient {
  private final HttpClient http;
  private final String base;
  private final String token;

  /**
   * @param server {@code host:port} of any node
   */
  public ApiClient(String server, String token) {
    this(server, token, null);
  }

  /**
   * @param server {@code host:port} of any node, or a URL ({@code https://host:port}); without a
   *     scheme it is HTTPS when {@code tls} is given
   * @param tls the TLS context (trusted CA, client certificate) for an HTTPS API, or null
   */
  public ApiClient(String server, String token, SSLContext tls) {
    this.base =
        server.startsWith("http://") || server.startsWith("https://")
            ? server.replaceAll("/+$", "")
            : (tls == null ? "http://" : "https://") + server;
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
    if (tls != null) {
      b.sslContext(tls);
    }
    this.http = b.build();
  }

  /** Status and body of one call. */
  public record Reply(int status, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  public Reply call(String method, String path, String jsonBody)
      throws IOException, InterruptedException {
    return call(method, path, jsonBody, Map.of());
  }

  /** A call with extra request headers (a conditional write's {@code If-Match}). */
  public Reply call(String method, String path, String jsonBody, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    if (jsonBody != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r =
        http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Reply(r.statusCode(), r.body());
  }

  /**
   * A GET whose body is read as it arrives (a snapshot download): returns once the head is in,
   * within {@code headTimeout}; the caller reads the body to its end and closes it.
   */
  public HttpResponse<InputStream> download(String path, Duration headTimeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(headTimeout).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * A GET whose body is read as it arrives (a watch stream): returns once the head is in; the body
   * stays open until the server ends it or the caller closes it.
   */
  public HttpResponse<InputStream> stream(String path) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
  }
}
