package dev.quorumdns.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.node.tls.TlsContexts;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One TLS identity for tests: an HTTPS client of the API and a raw TLS handshake (to read the
 * certificate a node serves on its API or Raft port). Thread-safe.
 */
final class TlsProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SSLContext ssl;
  private final HttpClient http;

  /** Trusts {@code ca}; presents {@code cert}/{@code key} when they are not null. */
  TlsProbe(Path ca, Path cert, Path key) {
    try {
      this.ssl = TlsContexts.client(ca, cert, key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    this.http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(ssl).build();
  }

  record Reply(int status, JsonNode body) {}

  /** One API call over HTTPS; throws if the connection or the TLS handshake fails. */
  Reply call(String ip, String method, String path, String body) throws IOException {
    return call(http, "https://" + ip + ":8053", method, path, body);
  }

  static Reply call(HttpClient client, String base, String method, String path, String body)
      throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
      return new Reply(
          r.statusCode(), r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * One API call over HTTPS as a {@link NodeProcess.Reply}: status -1 if the connection or
   * handshake failed.
   */
  NodeProcess.Reply reply(String ip, String method, String path, String body) {
    try {
      Reply r = call(ip, method, path, body);
      return new NodeProcess.Reply(r.status(), r.body(), null);
    } catch (IOException e) {
      return new NodeProcess.Reply(-1, JSON.getNodeFactory().textNode(e.toString()), null);
    }
  }

  /** {@code GET /v1/cluster}, or null if it failed. */
  JsonNode cluster(String ip) {
    try {
      Reply r = call(ip, "GET", "/v1/cluster", null);
      return r.status() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Completes a fresh TLS handshake with {@code ip:port} and returns the serial of the certificate
   * served.
   */
  BigInteger servedSerial(String ip, int port) throws IOException {
    try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(ip, port), 2000);
      s.setSoTimeout(5000);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      s.setSSLParameters(p);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
