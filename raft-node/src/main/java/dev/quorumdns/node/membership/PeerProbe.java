package dev.quorumdns.node.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import dev.quorumdns.node.runtime.FormationInfo.Phase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;

/**
 * Asks other nodes' HTTP APIs for their formation info ({@code GET /v1/cluster/formation}), over
 * HTTPS with this node's certificate when the node has TLS. Thread-safe.
 */
final class PeerProbe {
  static final String PATH = "/v1/cluster/formation";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final String scheme;
  private final Duration timeout;

  /**
   * @param tls the client context for HTTPS APIs, or null for plain HTTP
   */
  PeerProbe(SSLContext tls, Duration timeout) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout);
    if (tls != null) {
      b.sslContext(tls);
    }
    this.http = b.build();
    this.scheme = tls == null ? "http" : "https";
    this.timeout = timeout;
  }

  /** How one probe ended. */
  sealed interface Answer {
    /** The node answered. */
    record Info(FormationInfo info) implements Answer {}

    /** Nothing listens there: the node is not up (yet). */
    record Absent(String why) implements Answer {}

    /** No usable answer, but something may be there (timeout, TLS, an error status). */
    record Unknown(String why) implements Answer {}
  }

  /** Probes every target at once; answers in the targets' order. */
  List<Answer> probeAll(List<HostPort> targets) {
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    for (HostPort t : targets) {
      pending.add(probe(t));
    }
    List<Answer> out = new ArrayList<>();
    pending.forEach(f -> out.add(f.join()));
    return out;
  }

  CompletableFuture<Answer> probe(HostPort target) {
    HttpRequest req;
    try {
      req =
          HttpRequest.newBuilder(URI.create(scheme + "://" + target + PATH))
              .timeout(timeout)
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Answer.Unknown(target + ": " + e.getMessage()));
    }
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .handle(
            (r, e) -> {
              if (e != null) {
                Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                return cause instanceof ConnectException
                    ? new Answer.Absent(target + ": nothing listening")
                    : new Answer.Unknown(target + ": " + cause);
              }
              if (r.statusCode() != 200) {
                return new Answer.Unknown(target + ": HTTP " + r.statusCode());
              }
              try {
                return new Answer.Info(parse(JSON.readTree(r.body())));
              } catch (IOException | RuntimeException ex) {
                return new Answer.Unknown(
                    target + ": unreadable formation info (" + ex.getMessage() + ")");
              }
            });
  }

  /**
   * The JSON form ({@code ClusterJson.formation} in the HTTP API) back into a value; throws when
   * malformed.
   */
  static FormationInfo parse(JsonNode j) {
    Phase phase = Phase.of(j.path("phase").asText());
    if (phase == null || !j.path("id").isTextual() || !j.path("raft").isTextual()) {
      throw new IllegalArgumentException("missing id, raft or phase");
    }
    return new FormationInfo(
        j.get("id").asText(),
        j.path("cluster").asText(),
        j.get("raft").asText(),
        j.path("api").asText(null),
        j.path("bootstrapExpect").asInt(),
        phase,
        peers(j.get("founders")),
        peers(j.get("proposal")),
        j.path("leader").isTextual() ? j.get("leader").asText() : null,
        orEmpty(peers(j.get("voters"))),
        orEmpty(peers(j.get("listeners"))),
        j.path("confCommitted").asBoolean(),
        j.path("reason").asText(""));
  }

  private static List<Peer> peers(JsonNode a) {
    if (a == null || !a.isArray()) {
      return null;
    }
    List<Peer> out = new ArrayList<>();
    for (JsonNode p : a) {
      out.add(new Peer(p.path("id").asText(), p.path("raft").asText()));
    }
    return FormationPolicy.sorted(out);
  }

  private static List<Peer> orEmpty(List<Peer> l) {
    return l == null ? List.of() : l;
  }
}
