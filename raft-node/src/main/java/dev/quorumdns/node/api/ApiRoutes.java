package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Dispatches requests to handlers by method and path. A handler either returns a future answer or throws an
 * {@link ApiException} / {@link ValidationException}, which become JSON errors. Thread-safe.
 */
public final class ApiRoutes {
  private static final Set<String> MEMBER_FIELDS = Set.of("id", "raft", "role");
  private final NodeBackend node;
  private final ApiAuth auth;
  private final ServiceRoutes services;

  public ApiRoutes(NodeBackend node, ApiAuth auth) {
    this.node = node;
    this.auth = auth;
    this.services = new ServiceRoutes(node, auth);
  }

  /** A fixed name for the route, for metrics (never the path itself). */
  static String routeName(ApiRequest r) {
    List<String> p = r.path();
    if (p.isEmpty()) {
      return "root";
    }
    if (p.get(0).equals("v1") && p.size() >= 2) {
      return switch (p.get(1)) {
        case "services" -> p.size() == 4 ? "service" : "services";
        case "cluster" -> p.size() >= 3 ? (p.get(2).equals("snapshot") ? "snapshot" : "members") : "cluster";
        case "records", "batch" -> p.get(1);
        default -> "other";
      };
    }
    return switch (p.get(0)) {
      case "healthz", "readyz", "metrics" -> p.get(0);
      default -> "other";
    };
  }

  public CompletableFuture<ApiResponse> handle(ApiRequest r) {
    try {
      return route(r).exceptionally(ApiRoutes::toError);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(toError(e));
    }
  }

  private CompletableFuture<ApiResponse> route(ApiRequest r) {
    List<String> p = r.path();
    String m = r.method();
    if (p.size() == 1) {
      switch (p.get(0)) {
        case "healthz":
          requireMethod(m, "GET");
          return done(ApiResponse.json(200, obj().put("status", "ok").put("id", node.nodeId())));
        case "readyz":
          requireMethod(m, "GET");
          NodeBackend.Readiness rd = node.readiness();
          return done(ApiResponse.json(rd.ready() ? 200 : 503, obj().put("ready", rd.ready())
              .put("reason", rd.reason())));
        case "metrics":
          requireMethod(m, "GET");
          return done(ApiResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", node.scrapeMetrics()));
        default:
          break;
      }
    }
    if (p.size() >= 2 && p.get(0).equals("v1")) {
      switch (p.get(1)) {
        case "services":
          if (p.size() == 2) {
            requireMethod(m, "GET");
            return services.list(r);
          }
          if (p.size() == 4) {
            return switch (m) {
              case "GET" -> services.get(r, p.get(2), p.get(3));
              case "PUT" -> services.put(r, p.get(2), p.get(3));
              case "DELETE" -> services.delete(r, p.get(2), p.get(3));
              default -> throw notAllowed(m, "GET, PUT, DELETE");
            };
          }
          break;
        case "batch":
          if (p.size() == 2) {
            requireMethod(m, "POST");
            return services.batch(r);
          }
          break;
        case "records":
          if (p.size() == 2) {
            requireMethod(m, "GET");
            ObjectNode out = obj().put("revision", node.view().revision());
            out.set("records", node.records());
            return done(ApiResponse.json(200, out));
          }
          break;
        case "cluster":
          return cluster(r, p, m);
        default:
          break;
      }
    }
    throw ApiException.notFound("no such endpoint: " + r.method() + " /" + String.join("/", p));
  }

  private CompletableFuture<ApiResponse> cluster(ApiRequest r, List<String> p, String m) {
    if (p.size() == 2) {
      requireMethod(m, "GET");
      return done(ApiResponse.json(200, node.clusterStatus()));
    }
    if (p.size() == 3 && p.get(2).equals("snapshot")) {
      requireMethod(m, "POST");
      auth.check(r.authorization());
      return node.snapshot().thenApply(s -> ApiResponse.json(200, s));
    }
    if (p.size() == 3 && p.get(2).equals("members")) {
      if (m.equals("GET")) {
        return done(ApiResponse.json(200, node.clusterStatus()));
      }
      requireMethod(m, "POST");
      auth.check(r.authorization());
      JsonNode body = Json.parse(r.body());
      if (!body.isObject()) {
        throw new ValidationException("body", "must be a JSON object");
      }
      ServiceJson.onlyFields(body, MEMBER_FIELDS, "");
      String id = DnsLabel.normalize("id", ServiceJson.text(body.get("id"), "id"));
      HostPort raft = HostPort.parse("raft", ServiceJson.text(body.get("raft"), "raft"));
      String role = body.hasNonNull("role") ? ServiceJson.text(body.get("role"), "role").toLowerCase(Locale.ROOT)
          : "voter";
      if (!role.equals("voter") && !role.equals("listener")) {
        throw new ValidationException("role", "'" + role + "' (expected: voter or listener)");
      }
      return node.addMember(id, raft, role.equals("listener")).thenApply(s -> ApiResponse.json(200, s));
    }
    if (p.size() == 4 && p.get(2).equals("members")) {
      requireMethod(m, "DELETE");
      auth.check(r.authorization());
      String id = DnsLabel.normalize("id", p.get(3));
      return node.removeMember(id).thenApply(s -> ApiResponse.json(200, s));
    }
    throw ApiException.notFound("no such endpoint: " + r.method() + " /" + String.join("/", p));
  }

  private static ObjectNode obj() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static CompletableFuture<ApiResponse> done(ApiResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw notAllowed(method, allowed);
    }
  }

  private static ApiException notAllowed(String method, String allowed) {
    return new ApiException(405, "method_not_allowed", null, method + " is not allowed here (allowed: "
        + allowed + ")", null);
  }

  static ApiResponse toError(Throwable t) {
    Throwable e = t;
    while ((e instanceof java.util.concurrent.CompletionException
        || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ApiException a) {
      return ApiResponse.error(a);
    }
    if (e instanceof ValidationException v) {
      return ApiResponse.error(ApiException.invalid(v.field(), v.reason()));
    }
    System.getLogger(ApiRoutes.class.getName()).log(System.Logger.Level.ERROR, "request failed", e);
    return ApiResponse.error(new ApiException(500, "internal", null, "internal error: " + e, null));
  }
}
