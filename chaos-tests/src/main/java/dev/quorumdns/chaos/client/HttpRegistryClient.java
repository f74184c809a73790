package dev.quorumdns.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
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
 * {@link RegistryApi} over the node's JSON HTTP API. Classification follows the contract: on writes
 * only 504 {@code outcome_unknown}, the client's own timeout (longer than the node's write timeout)
 * and a connection broken after the request was sent are {@code info}; 503 {@code no_quorum}, 500
 * and every other status, a refused connection and an answer that cannot be parsed are {@code fail}
 * (a node that answers garbage has failed the request; if the write took effect after all, the
 * checkers see it). Failed reads are always {@code fail} (a read changes nothing). Thread-safe.
 */
public final class HttpRegistryClient implements RegistryApi {
  /** A membership change waits for the new configuration to commit (and a joiner to catch up). */
  private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(30);

  private final Function<String, URI> baseUri;
  private final Duration timeout;
  private final Duration writeTimeout;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUri e.g. {@code http://127.0.0.1:32768} for a node id; looked up on every call
   */
  public HttpRegistryClient(Function<String, URI> baseUri, Duration timeout) {
    this(baseUri, timeout, timeout);
  }

  /**
   * @param timeout for reads and connecting
   * @param writeTimeout for writes: above the node's write timeout, so its 504 is seen
   */
  public HttpRegistryClient(
      Function<String, URI> baseUri, Duration timeout, Duration writeTimeout) {
    this.baseUri = baseUri;
    this.timeout = timeout;
    this.writeTimeout = writeTimeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  @Override
  public Outcome put(String node, String name, ServiceSpec spec) {
    return putWithVip(node, name, spec, null);
  }

  @Override
  public Outcome batch(String node, List<String> names, ServiceSpec spec) {
    ObjectNode body = json.createObjectNode();
    var ops = body.putArray("operations");
    for (String name : names) {
      String[] key = ServiceSpec.key(name);
      ObjectNode op =
          ops.addObject()
              .put("op", spec == null ? "delete" : "put")
              .put("namespace", key[0])
              .put("name", key[1]);
      if (spec != null) {
        op.set("service", serviceBody(spec, null));
      }
    }
    HttpRequest request =
        request(node, "/v1/batch", "")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json")
            .build();
    return call(
        request,
        true,
        (status, tree) -> status == 200 ? Outcome.ok("applied", null, null, null) : null);
  }

  private ObjectNode serviceBody(ServiceSpec spec, String vip4) {
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
    if (vip4 != null) {
      body.put("vip4", vip4);
    }
    return body;
  }

  @Override
  public Outcome putWithVip(String node, String name, ServiceSpec spec, String vip4) {
    ObjectNode body = serviceBody(spec, vip4);
    HttpRequest request =
        request(node, servicePath(name), "")
            .timeout(writeTimeout)
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
    HttpRequest request =
        request(node, servicePath(name), "").timeout(writeTimeout).DELETE().build();
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
      return Outcome.fail("bad_response", status + ": " + e);
    }
    String code = tree.path("error").asText("http_" + status);
    String message = status + " " + tree.path("message").asText("");
    if (status == 504 && write) {
      return Outcome.info(code, message);
    }
    return Outcome.fail(code, message);
  }

  private Outcome service(String result, JsonNode s) throws IOException {
    String vip =
        s.path("vip4").isMissingNode() || s.path("vip4").isNull() ? null : s.path("vip4").asText();
    Long revision = s.has("revision") ? s.path("revision").asLong() : null;
    return Outcome.ok(
            result, new ServiceSpec(ServiceSpec.endpointsOf(s)).canonical(), vip, revision)
        .withAppliedAt(s.path("appliedAt").isIntegralNumber() ? s.path("appliedAt").asLong() : null)
        .withVip6(s.path("vip6").isTextual() ? javaForm(s.path("vip6").asText()) : null);
  }

  /**
   * An address literal as Java prints it (IPv6 uncompressed), the form DNS answers are recorded in.
   */
  private static String javaForm(String literal) throws IOException {
    if (!literal.matches("[0-9a-fA-F:.]+")) {
      throw new IOException("vip6: not an address literal: " + literal);
    }
    return InetAddress.getByName(literal).getHostAddress();
  }

  private HttpRequest.Builder request(String node, String path, String query) {
    return HttpRequest.newBuilder(baseUri.apply(node).resolve(path + query)).timeout(timeout);
  }

  private static String servicePath(String name) {
    String[] key = ServiceSpec.key(name);
    return "/v1/services/" + key[0] + "/" + key[1];
  }
}
