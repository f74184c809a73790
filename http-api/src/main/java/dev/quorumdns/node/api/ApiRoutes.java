package dev.quorumdns.node.api;

import dev.quorumdns.node.api.watch.WatchHub;
import dev.quorumdns.node.auth.Caller;
import dev.quorumdns.node.auth.Scope;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's route table and its dispatcher: every route is declared once ({@link #table}), and
 * routing, authentication and authorisation, the metric name and the audit log all read that
 * declaration. A handler either returns a future answer or throws an {@link ApiException} / {@link
 * ValidationException}, which become JSON errors. Thread-safe.
 */
public final class ApiRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  private final RouteTable table;
  private final ApiAuth auth;
  private final AuditLog audit;

  /**
   * @param hub the node's watch streams and blocking reads
   * @param answers where blocking reads build their answers once they wake
   * @param metrics the Prometheus text of every meter, for {@code /metrics}
   * @param audit where writes and cluster changes are recorded, or null to record nothing
   */
  public ApiRoutes(
      NodeRuntime node,
      WatchHub hub,
      Executor answers,
      Supplier<String> metrics,
      ApiAuth auth,
      AuditLog audit) {
    this(table(node, hub, answers, metrics), auth, audit);
  }

  private ApiRoutes(RouteTable table, ApiAuth auth, AuditLog audit) {
    this.table = table;
    this.auth = auth;
    this.audit = audit;
  }

  /**
   * The routes of the plain metrics listener ({@code metrics-addr}): {@code /healthz}, {@code
   * /readyz} and {@code /metrics}, open, the same handlers as on the API; every other path is 404.
   */
  public static ApiRoutes healthOnly(NodeRuntime node, Supplier<String> metrics) {
    ClusterRoutes cluster = new ClusterRoutes(node, metrics);
    return new ApiRoutes(
        new RouteTable(
            List.of(
                route("GET", "/healthz", Access.open(), "healthz", null, cluster::health),
                route("GET", "/readyz", Access.open(), "readyz", null, cluster::ready),
                route("GET", "/metrics", Access.open(), "metrics", null, cluster::metrics))),
        ApiAuth.none(),
        null);
  }

  /** Every route of the API (docs/architecture.md, HTTP API). */
  static RouteTable table(
      NodeRuntime node, WatchHub hub, Executor answers, Supplier<String> metrics) {
    ServiceRoutes services = new ServiceRoutes(node);
    LeaseRoutes leases = new LeaseRoutes(node);
    ServiceReads reads = new ServiceReads(node, hub, answers);
    WatchRoutes watch = new WatchRoutes(node, hub);
    ClusterRoutes cluster = new ClusterRoutes(node, metrics);
    return new RouteTable(
        List.of(
            route("GET", "/healthz", Access.open(), "healthz", null, cluster::health),
            route("GET", "/readyz", Access.open(), "readyz", null, cluster::ready),
            route("GET", "/metrics", Access.open(), "metrics", null, cluster::metrics),
            route("GET", "/v1/services", Access.read(), "services", null, reads::list),
            route("GET", "/v1/services/{ns}/{name}", Access.read(), "service", null, reads::get),
            route(
                "PUT",
                "/v1/services/{ns}/{name}",
                Access.writePathNamespace(),
                "service",
                "put",
                services::put),
            route(
                "DELETE",
                "/v1/services/{ns}/{name}",
                Access.writePathNamespace(),
                "service",
                "delete",
                services::delete),
            route(
                "POST",
                "/v1/batch",
                Access.writeBodyNamespaces(),
                "batch",
                "batch",
                services::batch),
            route(
                "PUT",
                "/v1/services/{ns}/{name}/endpoints/{endpoint}/health",
                Access.writePathNamespace(),
                "health",
                "health",
                services::health),
            route(
                "POST",
                "/v1/leases",
                Access.writeAny("grant leases"),
                "leases",
                "lease-grant",
                leases::grant),
            route("GET", "/v1/leases/{id}", Access.read(), "lease", null, leases::get),
            route(
                "DELETE",
                "/v1/leases/{id}",
                Access.writeAny("revoke leases"),
                "lease",
                "lease-revoke",
                leases::revoke),
            route(
                "PUT",
                "/v1/leases/{id}/keepalive",
                Access.writeAny("keep leases alive"),
                "keepalive",
                null,
                leases::keepAlive),
            route("GET", "/v1/watch", Access.read(), "watch", null, watch::watch),
            route("GET", "/v1/records", Access.read(), "records", null, cluster::records),
            route("GET", "/v1/cluster", Access.read(), "cluster", null, cluster::status),
            route("GET", "/v1/cluster/members", Access.read(), "members", null, cluster::status),
            route(
                "GET",
                "/v1/cluster/formation",
                Access.open(),
                "formation",
                null,
                cluster::formation),
            route(
                "POST",
                "/v1/cluster/members",
                Access.admin("change the cluster's members"),
                "members",
                "member-add",
                cluster::addMember),
            route(
                "DELETE",
                "/v1/cluster/members/{id}",
                Access.admin("change the cluster's members"),
                "members",
                "member-remove",
                cluster::removeMember),
            route(
                "POST",
                "/v1/cluster/snapshot",
                Access.admin("take a snapshot"),
                "snapshot",
                "snapshot",
                cluster::snapshot),
            route(
                "GET",
                "/v1/cluster/snapshot",
                Access.admin("download a snapshot"),
                "snapshot",
                "snapshot-download",
                cluster::download)));
  }

  private static Route route(
      String method,
      String path,
      Access access,
      String metric,
      String audit,
      Route.Handler handler) {
    return new Route(method, PathPattern.of(path), access, metric, audit, handler);
  }

  RouteTable table() {
    return table;
  }

  /** The {@code route} tag of a request's metrics: its route's name, never the path itself. */
  public String metricName(ApiRequest r) {
    return table.match(r.method(), r.path()).metric();
  }

  public CompletableFuture<ApiResponse> handle(ApiRequest r) {
    RouteTable.Match match = table.match(r.method(), r.path());
    Route route = match.route();
    if (route == null) {
      return CompletableFuture.completedFuture(
          match.allowed().isEmpty()
              ? ApiResponse.error(
                  ApiException.notFound(
                      "no such endpoint: " + r.method() + " /" + String.join("/", r.path())))
              : ApiResponse.methodNotAllowed(r.method(), match.allowed()));
    }
    Route.AuditTrail trail =
        audit != null && route.audit() != null
            ? new Route.AuditTrail(
                List.of(new AuditLog.Target(route.audit(), target(match.params()))))
            : null;
    CompletableFuture<ApiResponse> answer;
    try {
      Caller caller = auth.authenticate(r.authorization(), route.access().authentication());
      if (trail != null) {
        trail.caller = caller;
      }
      authorize(route.access(), match.params(), caller);
      answer =
          route
              .handler()
              .handle(new Route.Call(r, match.params(), caller, trail))
              .exceptionally(ApiRoutes::toError);
    } catch (RuntimeException e) {
      answer = CompletableFuture.completedFuture(toError(e));
    }
    if (trail == null) {
      return answer;
    }
    return answer.thenApply(
        resp -> {
          try {
            audit.record(r, trail.caller, trail.targets, resp);
          } catch (RuntimeException e) {
            LOG.error("audit record failed", e);
          }
          return resp;
        });
  }

  /** The audit target known from the path: {@code ns/name}, a member id, or {@code -}. */
  private static String target(Map<String, String> params) {
    if (params.containsKey("ns") && params.containsKey("name")) {
      String service = params.get("ns") + "/" + params.get("name");
      return params.containsKey("endpoint") ? service + "/" + params.get("endpoint") : service;
    }
    return params.getOrDefault("id", "-");
  }

  /** The path-level check of a route's scope; body-level scopes are checked by the handler. */
  private static void authorize(Access access, Map<String, String> params, Caller caller) {
    switch (access.kind()) {
      case OPEN, READ, WRITE_BODY_NAMESPACES -> {}
      case ADMIN -> ApiAuth.require(caller, Scope.ADMIN, access.action());
      case WRITE_ANY -> {
        if (caller.scopes().stream().noneMatch(s -> s.kind() == Scope.Kind.WRITE)) {
          ApiAuth.require(caller, Scope.WRITE_ALL, access.action() + " (any write scope will do)");
        }
      }
      case WRITE_PATH_NAMESPACE -> {
        // Validated first, so a bad name is a 400 naming the field rather than a scope error.
        String ns = new ServiceKey(params.get("ns"), params.get("name")).namespace();
        ApiAuth.require(caller, Scope.write(ns), "write services in namespace " + ns);
      }
    }
  }

  static ApiResponse toError(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
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
