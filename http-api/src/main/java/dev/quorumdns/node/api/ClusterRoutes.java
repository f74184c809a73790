package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.node.runtime.Readiness;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The handlers of health, readiness, metrics, {@code /v1/records} and {@code /v1/cluster...}: cluster status
 * from local state, membership changes and snapshots through the runtime. Thread-safe.
 */
final class ClusterRoutes {
  private static final Set<String> MEMBER_FIELDS = Set.of("id", "raft", "role");
  private final NodeRuntime node;
  private final Supplier<String> metrics;

  ClusterRoutes(NodeRuntime node, Supplier<String> metrics) {
    this.node = node;
    this.metrics = metrics;
  }

  CompletableFuture<ApiResponse> health(Route.Call call) {
    return done(ApiResponse.json(200, obj().put("status", "ok").put("id", node.nodeId())));
  }

  CompletableFuture<ApiResponse> ready(Route.Call call) {
    Readiness rd = node.readiness();
    return done(ApiResponse.json(rd.ready() ? 200 : 503, obj().put("ready", rd.ready()).put("reason", rd.reason())));
  }

  CompletableFuture<ApiResponse> metrics(Route.Call call) {
    return done(ApiResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
  }

  CompletableFuture<ApiResponse> records(Route.Call call) {
    ObjectNode out = obj().put("revision", node.view().revision());
    out.set("records", ClusterJson.records(node.records()));
    return done(ApiResponse.json(200, out));
  }

  CompletableFuture<ApiResponse> status(Route.Call call) {
    return done(ApiResponse.json(200, ClusterJson.status(node.clusterStatus())));
  }

  CompletableFuture<ApiResponse> formation(Route.Call call) {
    return done(ApiResponse.json(200, ClusterJson.formation(node.formation())));
  }

  CompletableFuture<ApiResponse> snapshot(Route.Call call) {
    return node.snapshot().thenApply(s -> ApiResponse.json(200, ClusterJson.snapshot(s)));
  }

  /** {@code {"id","raft":"host:port","role":"voter"|"listener"}}. */
  CompletableFuture<ApiResponse> addMember(Route.Call call) {
    JsonNode body = Json.parse(call.request().body());
    if (!body.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    ServiceJson.onlyFields(body, MEMBER_FIELDS, "");
    String id = DnsLabel.normalize("id", ServiceJson.text(body.get("id"), "id"));
    call.audit(List.of(new AuditLog.Target("member-add", id)));
    HostPort raft = HostPort.parse("raft", ServiceJson.text(body.get("raft"), "raft"));
    String role = body.hasNonNull("role") ? ServiceJson.text(body.get("role"), "role").toLowerCase(Locale.ROOT)
        : "voter";
    if (!role.equals("voter") && !role.equals("listener")) {
      throw new ValidationException("role", "'" + role + "' (expected: voter or listener)");
    }
    return node.addMember(id, raft, role.equals("listener"))
        .thenApply(s -> ApiResponse.json(200, ClusterJson.status(s)));
  }

  CompletableFuture<ApiResponse> removeMember(Route.Call call) {
    String id = DnsLabel.normalize("id", call.param("id"));
    return node.removeMember(id).thenApply(s -> ApiResponse.json(200, ClusterJson.status(s)));
  }

  private static ObjectNode obj() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static CompletableFuture<ApiResponse> done(ApiResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
