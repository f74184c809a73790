package dev.quorumdns.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@link RegistryApi} over the node's JSON HTTP API. Classification follows the contract: 503
 * {@code no_quorum}, refused connections and other 4xx are {@code fail}; 504 {@code
 * outcome_unknown}, timeouts and broken connections on writes are {@code info}; failed reads are
 * {@code fail} (a read changes nothing). Thread-safe.
 */
public final class HttpRegistryClient implements RegistryApi {
  /** A membership change waits for the new configuration to commit (and a joiner to catch up). */
  private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(30);

  private final Function<String, URI> baseUri;
  private final Duration timeout;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUri e.g. {@code http://127.0.0.1:32768} for a node id; looked up on every call
   */
  public HttpRegistryClient(Function<String, URI> baseUri, Duration timeout) {
    this.baseUri = baseUri;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  @Override
  public Outcome put(String node, String name, ServiceSpec spec) {
    ObjectNode body = json.createObjectNode();
    body.putArray("ports").addObject().put("name", "http").put("protocol", "tcp").put("port", 80);
    var endpoints = body.putArray("endpoints");
    for (String e : spec.endpoints()) {
      int colon = e.lastIndexOf(':');
      endpoints
          .addObject()
          .put("address", e.substring(0, colon))
          .put("port", Integer.parseInt(e.substring(colon + 1)));
    }
    body.putObject("labels");
    HttpRequest request =
        request(node, servicePath(name), "")
            .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json")
            .build();
    return call(
        request,
        true,
        (status, tree) ->
            switch (status) {
              case 201 -> service("created", tree);
              case 200 -> service("updated", tree);
              default -> null;
            });
  }

  @Override
  public Outcome delete(String node, String name) {
    HttpRequest request = request(node, servicePath(name), "").DELETE().build();
    return call(
        request,
        true,
        (status, tree) ->
            switch (status) {
              case 200 -> service("deleted", tree);
              case 404 -> Outcome.ok("not_found", null, null, null);
              default -> null;
            });
  }

  @Override
  public Outcome get(String node, String name) {
    HttpRequest request = request(node, servicePath(name), "").GET().build();
    return call(
        request,
        false,
        (status, tree) ->
            switch (status) {
              case 200 -> service("found", tree);
              case 404 -> Outcome.ok("not_found", null, null, null);
              default -> null;
            });
  }

  @Override
  public Outcome list(String node, boolean stale) {
    HttpRequest request = request(node, "/v1/services", stale ? "?stale" : "").GET().build();
    return call(
        request,
        false,
        (status, tree) -> {
          if (status != 200) {
            return null;
          }
          SortedMap<String, RegistryEntry> registry = new TreeMap<>();
          for (JsonNode s : tree.path("services")) {
            registry.put(
                s.path("namespace").asText() + "/" + s.path("name").asText(),
                new RegistryEntry(
                    s.path("vip4").asText(),
                    new ServiceSpec(ServiceSpec.endpointsOf(s)).canonical()));
          }
          return Outcome.ok("found", null, null, tree.path("revision").asLong())
              .withRegistry(registry);
        });
  }

  @Override
  public ClusterStatus cluster(String node) {
    try {
      HttpResponse<String> response =
          http.send(
              request(node, "/v1/cluster", "").GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return ClusterStatus.unreachable("HTTP " + response.statusCode());
      }
      JsonNode t = json.readTree(response.body());
      List<ClusterStatus.Member> members = new ArrayList<>();
      t.path("members")
          .forEach(
              m ->
                  members.add(
                      new ClusterStatus.Member(
                          m.path("id").asText(),
                          m.path("role").asText(),
                          m.path("raft").asText(),
                          m.path("api").asText(),
                          m.path("dns").asText())));
      return new ClusterStatus(
          t.path("id").asText(),
          t.path("leader").isNull() ? null : t.path("leader").asText(null),
          t.path("term").asLong(),
          t.path("commitIndex").asLong(),
          t.path("appliedIndex").asLong(),
          t.path("revision").asLong(),
          members,
          null);
    } catch (IOException e) {
      return ClusterStatus.unreachable(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ClusterStatus.unreachable("interrupted");
    }
  }

  /** True if GET /readyz answers 200 (state loaded, member, caught up). */
  public boolean ready(String node) {
    try {
      return http.send(
                  request(node, "/readyz", "").GET().build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** POST /v1/cluster/members; true on 2xx. */
  public Outcome addMember(String node, String id, String raftAddress, String role) {
    ObjectNode body =
        json.createObjectNode().put("id", id).put("raft", raftAddress).put("role", role);
    HttpRequest request =
        request(node, "/v1/cluster/members", "")
            .timeout(MEMBERSHIP_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json")
            .build();
    return call(
        request,
        true,
        (status, tree) -> status / 100 == 2 ? Outcome.ok("added", null, null, null) : null);
  }

  /** DELETE /v1/cluster/members/{id}. */
  public Outcome removeMember(String node, String id) {
    HttpRequest request =
        request(node, "/v1/cluster/members/" + id, "").timeout(MEMBERSHIP_TIMEOUT).DELETE().build();
    return call(
        request,
        true,
        (status, tree) -> status / 100 == 2 ? Outcome.ok("removed", null, null, null) : null);
  }

  private interface Decoder {
    /** The outcome for a status the call expects, or null to classify it as an error. */
    Outcome decode(int status, JsonNode body) throws IOException;
  }

  private Outcome call(HttpRequest request, boolean write, Decoder decoder) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      return Outcome.fail("unreachable", e.toString());
    } catch (HttpTimeoutException e) {
      return write ? Outcome.info("timeout", e.toString()) : Outcome.fail("timeout", e.toString());
    } catch (IOException e) {
      return write ? Outcome.info("io", e.toString()) : Outcome.fail("io", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return write
          ? Outcome.info("interrupted", "interrupted")
          : Outcome.fail("interrupted", "interrupted");
    }
    int status = response.statusCode();
    JsonNode tree;
    try {
      tree = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
      Outcome decoded = decoder.decode(status, tree);
      if (decoded != null) {
        return decoded;
      }
    } catch (IOException | RuntimeException e) {
      return write && status / 100 != 4
          ? Outcome.info("bad_response", status + ": " + e)
          : Outcome.fail("bad_response", status + ": " + e);
    }
    String code = tree.path("error").asText("http_" + status);
    String message = status + " " + tree.path("message").asText("");
    if (status == 504 || status / 100 == 5 && status != 503 && write) {
      return Outcome.info(code, message);
    }
    return Outcome.fail(code, message);
  }

  private Outcome service(String result, JsonNode s) {
    String vip =
        s.path("vip4").isMissingNode() || s.path("vip4").isNull() ? null : s.path("vip4").asText();
    Long revision = s.has("revision") ? s.path("revision").asLong() : null;
    return Outcome.ok(
        result, new ServiceSpec(ServiceSpec.endpointsOf(s)).canonical(), vip, revision);
  }

  private HttpRequest.Builder request(String node, String path, String query) {
    return HttpRequest.newBuilder(baseUri.apply(node).resolve(path + query)).timeout(timeout);
  }

  private static String servicePath(String name) {
    String[] key = ServiceSpec.key(name);
    return "/v1/services/" + key[0] + "/" + key[1];
  }
}
