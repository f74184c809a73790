package dev.quorumdns.node.api;

import dev.quorumdns.node.auth.Caller;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One route of the API, declared once: routing, authorisation, metrics and the audit log all read
 * it. Immutable.
 *
 * @param method the HTTP method ({@code HEAD} is served as {@code GET})
 * @param access the scope it needs
 * @param metric the {@code route} tag of {@code quorumdns_api_requests_seconds} (never the path
 *     itself)
 * @param audit the audit log's {@code op} for this route, or null when it is not audited (reads)
 * @param handler answers a request that passed authentication and the path-level authorisation
 */
record Route(
    String method, PathPattern path, Access access, String metric, String audit, Handler handler) {
  /**
   * Answers one request; may throw {@link ApiException} or a {@code ValidationException}, or fail
   * its future.
   */
  @FunctionalInterface
  interface Handler {
    CompletableFuture<ApiResponse> handle(Call call);
  }

  /**
   * One request on its way through a route: the request, its path parameters, the authenticated
   * caller and the audit trail (null when the route is not audited). Handlers refine the audit
   * targets once the body is parsed.
   */
  record Call(ApiRequest request, Map<String, String> params, Caller caller, AuditTrail trail) {
    String param(String name) {
      return params.get(name);
    }

    /** Replaces the audit targets (no-op when not audited). */
    void audit(List<AuditLog.Target> targets) {
      if (trail != null) {
        trail.targets = List.copyOf(targets);
      }
    }
  }

  /**
   * Who made an audited request and what it touched, filled in while it is handled. The fields are
   * written before the answer's future completes and read after, so the future orders them.
   */
  static final class AuditTrail {
    volatile Caller caller;
    volatile List<AuditLog.Target> targets;

    AuditTrail(List<AuditLog.Target> targets) {
      this.targets = targets;
    }
  }
}
