package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.node.runtime.Readiness;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The handlers of health, readiness, metrics, {@code /v1/records} and {@code /v1/cluster...}:
 * cluster status from local state, membership changes, snapshots and snapshot downloads through the
 * runtime. Thread-safe.
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
    return done(
        ApiResponse.json(
            rd.ready() ? 200 : 503, obj().put("ready", rd.ready()).put("reason", rd.reason())));
  }

  CompletableFuture<ApiResponse> metrics(Route.Call call) {
    return done(ApiResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
  }

  CompletableFuture<ApiResponse> records(Route.Call call) {
    long revision = node.view().revision();
    ObjectNode out = obj().put("revision", revision);
    out.set("records", ClusterJson.records(node.records()));
    return done(
        ApiResponse.json(200, out)
            .withHeader(ServiceReads.REVISION_HEADER, Long.toString(revision)));
  }

  CompletableFuture<ApiResponse> status(Route.Call call) {
    ClusterStatus s = node.clusterStatus();
    return done(
        ApiResponse.json(200, ClusterJson.status(s))
            .withHeader(ServiceReads.REVISION_HEADER, Long.toString(s.revision())));
  }

  CompletableFuture<ApiResponse> formation(Route.Call call) {
    return done(ApiResponse.json(200, ClusterJson.formation(node.formation())));
  }

  CompletableFuture<ApiResponse> snapshot(Route.Call call) {
    return node.snapshot().thenApply(s -> ApiResponse.json(200, ClusterJson.snapshot(s)));
  }

  /**
   * {@code GET /v1/cluster/snapshot[?stale]}: this replica as a {@link SnapshotArchive}, streamed.
   * After a read barrier, so it holds every write acknowledged before the request (503 without a
   * quorum); {@code ?stale} takes this replica as it is, as when quorum is lost.
   */
  CompletableFuture<ApiResponse> download(Route.Call call) {
    CompletableFuture<Long> barrier =
        call.request().flag("stale") ? CompletableFuture.completedFuture(0L) : node.readBarrier();
    return barrier
        .thenCompose(applied -> node.snapshotCopy())
        .thenApply(
            copy -> {
              SnapshotArchive archive;
              try {
                archive = new SnapshotArchive(copy);
              } catch (IOException | RuntimeException e) {
                copy.close();
                throw new NodeException(
                    NodeException.Kind.SNAPSHOT_FAILED,
                    "cannot read snapshot " + copy.index() + ": " + e.getMessage());
              }
              return ApiResponse.stream(
                  200,
                  "application/x-tar",
                  Map.of(
                      "Content-Disposition", "attachment; filename=\"" + archive.fileName() + "\"",
                      "X-QuorumDNS-Snapshot-Index", Long.toString(copy.index()),
                      "X-QuorumDNS-Snapshot-Size", Long.toString(archive.length())),
                  new SnapshotStream(archive));
            });
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
    String role =
        body.hasNonNull("role")
            ? ServiceJson.text(body.get("role"), "role").toLowerCase(Locale.ROOT)
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
