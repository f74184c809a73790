package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.auth.Caller;
import dev.quorumdns.node.auth.Scope;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.node.runtime.Readiness;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches requests to handlers by method and path. A handler either returns a future answer or throws an
 * {@link ApiException} / {@link ValidationException}, which become JSON errors. Thread-safe.
 */
public final class ApiRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  private static final Set<String> MEMBER_FIELDS = Set.of("id", "raft", "role");
  private static final Set<String> AUDITED = Set.of("service", "batch", "members", "snapshot");
  private final NodeRuntime node;
  private final Supplier<String> metrics;
  private final ApiAuth auth;
  private final AuditLog audit;
  private final ServiceRoutes services;

  /**
   * @param metrics the Prometheus text of every meter, for {@code /metrics}
   * @param audit   where writes and cluster changes are recorded, or null to record nothing
   */
  public ApiRoutes(NodeRuntime node, Supplier<String> metrics, ApiAuth auth, AuditLog audit) {
    this.node = node;
    this.metrics = metrics;
    this.auth = auth;
    this.audit = audit;
    this.services = new ServiceRoutes(node);
  }

  /** What a request needs: null for open endpoints, READ for reads, a write or admin scope for changes. */
  static Scope access(ApiRequest r) {
    String route = routeName(r);
    return switch (route) {
      case "service", "services", "records", "cluster", "members", "snapshot", "batch" ->
          r.method().equals("GET") ? Scope.READ
              : route.equals("members") || route.equals("snapshot") ? Scope.ADMIN : Scope.WRITE_ALL;
      default -> null;
    };
  }

  /** The audit targets known from the request line; handlers refine them once the body is parsed. */
  private static List<AuditLog.Target> targets(ApiRequest r) {
    List<String> p = r.path();
    return switch (routeName(r)) {
      case "service" -> List.of(new AuditLog.Target(r.method().equals("DELETE") ? "delete"
          : r.method().toLowerCase(Locale.ROOT), p.get(2) + "/" + p.get(3)));
      case "members" -> List.of(p.size() == 4 ? new AuditLog.Target("member-remove", p.get(3))
          : new AuditLog.Target("member-add", "-"));
      case "snapshot" -> List.of(new AuditLog.Target("snapshot", "-"));
      default -> List.of(new AuditLog.Target("batch", "-"));
    };
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
    AuditTrail trail = audit != null && !r.method().equals("GET") && AUDITED.contains(routeName(r))
        ? new AuditTrail(targets(r)) : null;
    CompletableFuture<ApiResponse> answer;
    try {
      Caller caller = auth.authenticate(r.authorization(), access(r));
      if (trail != null) {
        trail.caller = caller;
      }
      answer = route(r, caller, trail).exceptionally(ApiRoutes::toError);
    } catch (RuntimeException e) {
      answer = CompletableFuture.completedFuture(toError(e));
    }
    if (trail == null) {
      return answer;
    }
    return answer.thenApply(resp -> {
      try {
        audit.record(r, trail.caller, trail.targets, resp);
      } catch (RuntimeException e) {
        LOG.error("audit record failed", e);
      }
      return resp;
    });
  }

  private CompletableFuture<ApiResponse> route(ApiRequest r, Caller caller, AuditTrail trail) {
    List<String> p = r.path();
    String m = r.method();
    if (p.size() == 1) {
      switch (p.get(0)) {
        case "healthz":
          requireMethod(m, "GET");
          return done(ApiResponse.json(200, obj().put("status", "ok").put("id", node.nodeId())));
        case "readyz":
          requireMethod(m, "GET");
          Readiness rd = node.readiness();
          return done(ApiResponse.json(rd.ready() ? 200 : 503, obj().put("ready", rd.ready())
              .put("reason", rd.reason())));
        case "metrics":
          requireMethod(m, "GET");
          return done(ApiResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
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
              case "PUT" -> services.put(r, caller, p.get(2), p.get(3));
              case "DELETE" -> services.delete(r, caller, p.get(2), p.get(3));
              default -> throw notAllowed(m, "GET, PUT, DELETE");
            };
          }
          break;
        case "batch":
          if (p.size() == 2) {
            requireMethod(m, "POST");
            return services.batch(r, caller, trail);
          }
          break;
        case "records":
          if (p.size() == 2) {
            requireMethod(m, "GET");
            ObjectNode out = obj().put("revision", node.view().revision());
            out.set("records", ClusterJson.records(node.records()));
            return done(ApiResponse.json(200, out));
          }
          break;
        case "cluster":
          return cluster(r, p, m, caller, trail);
        default:
          break;
      }
    }
    throw ApiException.notFound("no such endpoint: " + r.method() + " /" + String.join("/", p));
  }

  private CompletableFuture<ApiResponse> cluster(ApiRequest r, List<String> p, String m, Caller caller,
                                                 AuditTrail trail) {
    if (p.size() == 2) {
      requireMethod(m, "GET");
      return done(ApiResponse.json(200, ClusterJson.status(node.clusterStatus())));
    }
    if (p.size() == 3 && p.get(2).equals("snapshot")) {
      requireMethod(m, "POST");
      ApiAuth.require(caller, Scope.ADMIN, "take a snapshot");
      return node.snapshot().thenApply(s -> ApiResponse.json(200, ClusterJson.snapshot(s)));
    }
    if (p.size() == 3 && p.get(2).equals("members")) {
      if (m.equals("GET")) {
        return done(ApiResponse.json(200, ClusterJson.status(node.clusterStatus())));
      }
      requireMethod(m, "POST");
      ApiAuth.require(caller, Scope.ADMIN, "change the cluster's members");
      JsonNode body = Json.parse(r.body());
      if (!body.isObject()) {
        throw new ValidationException("body", "must be a JSON object");
      }
      ServiceJson.onlyFields(body, MEMBER_FIELDS, "");
      String id = DnsLabel.normalize("id", ServiceJson.text(body.get("id"), "id"));
      if (trail != null) {
        trail.targets = List.of(new AuditLog.Target("member-add", id));
      }
      HostPort raft = HostPort.parse("raft", ServiceJson.text(body.get("raft"), "raft"));
      String role = body.hasNonNull("role") ? ServiceJson.text(body.get("role"), "role").toLowerCase(Locale.ROOT)
          : "voter";
      if (!role.equals("voter") && !role.equals("listener")) {
        throw new ValidationException("role", "'" + role + "' (expected: voter or listener)");
      }
      return node.addMember(id, raft, role.equals("listener"))
          .thenApply(s -> ApiResponse.json(200, ClusterJson.status(s)));
    }
    if (p.size() == 4 && p.get(2).equals("members")) {
      requireMethod(m, "DELETE");
      ApiAuth.require(caller, Scope.ADMIN, "change the cluster's members");
      String id = DnsLabel.normalize("id", p.get(3));
      return node.removeMember(id).thenApply(s -> ApiResponse.json(200, ClusterJson.status(s)));
    }
    throw ApiException.notFound("no such endpoint: " + r.method() + " /" + String.join("/", p));
  }

  /**
   * Who made an audited request and what it touched, filled in while it is handled. The fields are written
   * before the answer's future completes and read after, so the future orders them.
   */
  static final class AuditTrail {
    volatile Caller caller;
    volatile List<AuditLog.Target> targets;

    AuditTrail(List<AuditLog.Target> targets) {
      this.targets = targets;
    }
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
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ApiException a) {
      return ApiResponse.error(a);
    }
    if (e instanceof ValidationException v) {
      return ApiResponse.error(ApiException.invalid(v.field(), v.reason()));
    }
    if (e instanceof NodeException n) {
      return ApiResponse.error(WriteResults.fromNode(n));
    }
    LOG.error("request failed", e);
    return ApiResponse.error(new ApiException(500, "internal", null, "internal error: " + e, null));
  }
}
