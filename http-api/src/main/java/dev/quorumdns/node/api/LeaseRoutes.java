package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.runtime.LeaseStatus;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/leases}: grants and revocations are writes through Raft; keepalives and status
 * requests go to the leader, which tracks deadlines in memory (docs/architecture.md, Leases). Lease
 * ids are 16 hex digits. Thread-safe.
 */
final class LeaseRoutes {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final NodeRuntime node;

  LeaseRoutes(NodeRuntime node) {
    this.node = node;
  }

  /**
   * {@code POST /v1/leases {"ttl": "15s"}} (or a number of seconds): 201 {@code {id, ttl,
   * ttlMillis}}.
   */
  CompletableFuture<ApiResponse> grant(Route.Call call) {
    JsonNode body = Json.parse(call.request().body());
    if (!body.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    ServiceJson.onlyFields(body, Set.of("ttl"), "");
    JsonNode t = body.get("ttl");
    long ttl;
    if (t == null || t.isNull()) {
      throw new ValidationException(
          "ttl", "is required (expected: a duration such as 15s, within 5s..1h)");
    } else if (t.isTextual()) {
      ttl = Lease.parseTtl("ttl", t.textValue());
    } else if (t.isIntegralNumber()
        && t.canConvertToLong()
        && Math.abs(t.longValue()) < 1_000_000_000L) {
      ttl = Lease.checkTtl("ttl", t.longValue() * 1000);
    } else {
      throw new ValidationException(
          "ttl", t + " (expected: a duration such as 15s, or whole seconds)");
    }
    return node.grantLease(ttl)
        .thenApply(
            r -> {
              Outcome o = WriteResults.applied(r);
              WriteResults.throwIfRefused(o);
              Lease l = ((Outcome.LeaseGranted) o).lease();
              call.audit(List.of(new AuditLog.Target("lease-grant", Lease.formatId(l.id()))));
              return ApiResponse.json(201, lease(l.id(), l.ttlMillis()));
            });
  }

  /** {@code PUT /v1/leases/{id}/keepalive}: 200 with the renewed lease, 404 when it is gone. */
  CompletableFuture<ApiResponse> keepAlive(Route.Call call) {
    long id = Lease.parseId("lease", call.param("id"));
    return node.keepAliveLease(id).thenApply(s -> ApiResponse.json(200, status(s)));
  }

  /** {@code GET /v1/leases/{id}}: the lease with the time it has left, as the leader tracks it. */
  CompletableFuture<ApiResponse> get(Route.Call call) {
    long id = Lease.parseId("lease", call.param("id"));
    return node.leaseStatus(id).thenApply(s -> ApiResponse.json(200, status(s)));
  }

  /**
   * {@code DELETE /v1/leases/{id}}: 200 with the services that lost endpoints, 404 when it is gone.
   */
  CompletableFuture<ApiResponse> revoke(Route.Call call) {
    long id = Lease.parseId("lease", call.param("id"));
    Command c = new Command.RevokeLease(id);
    return node.submit(c)
        .thenApply(
            r -> {
              Outcome o = WriteResults.applied(r);
              WriteResults.throwIfRefused(o);
              Outcome.LeasesEnded ended = (Outcome.LeasesEnded) o;
              Lease l = ended.leases().get(0);
              ObjectNode out = lease(l.id(), l.ttlMillis());
              ArrayNode services = out.putArray("services");
              for (ServiceKey k : ended.services()) {
                services.add(k.toString());
              }
              return ApiResponse.json(200, out);
            });
  }

  private static ObjectNode lease(long id, long ttlMillis) {
    ObjectNode o = F.objectNode();
    o.put("id", Lease.formatId(id));
    o.put("ttl", Lease.formatTtl(ttlMillis));
    o.put("ttlMillis", ttlMillis);
    return o;
  }

  private static ObjectNode status(LeaseStatus s) {
    ObjectNode o = lease(s.id(), s.ttlMillis());
    o.put("remainingMillis", s.remainingMillis());
    o.put("grantedAtMillis", s.grantedAtMillis());
    return o;
  }
}
