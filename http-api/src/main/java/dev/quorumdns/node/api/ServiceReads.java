package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.api.watch.Scope;
import dev.quorumdns.node.api.watch.WatchHub;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code GET /v1/services[/{ns}/{name}]}: every answer carries the replica's revision it was read
 * at ({@value #REVISION_HEADER} and {@code revision} in a list's body; a service carries its own
 * {@code revision}, also as its {@code ETag}). Reads are linearizable by default, this node's copy
 * with {@code ?stale}, and blocking with {@code ?index=R} ({@link ReadOptions}): blocking reads
 * wait on the {@link WatchHub}, never on an event loop, and are answered on {@code answers}.
 * Thread-safe.
 */
final class ServiceReads {
  static final String REVISION_HEADER = "X-QuorumDNS-Revision";
  private final NodeRuntime node;
  private final WatchHub hub;
  private final Executor answers;

  ServiceReads(NodeRuntime node, WatchHub hub, Executor answers) {
    this.node = node;
    this.hub = hub;
    this.answers = answers;
  }

  CompletableFuture<ApiResponse> get(Route.Call call) {
    ServiceKey key = new ServiceKey(call.param("ns"), call.param("name"));
    return read(ReadOptions.of(call.request()), Scope.service(key))
        .thenApply(
            view -> {
              // The revision first: the service read after it is at least as new, so a later
              // ?index=revision never
              // misses a change.
              long revision = view.revision();
              Service s = view.get(key);
              if (s == null) {
                return ApiResponse.error(
                        new ApiException(
                            404, "not_found", null, "no service " + key, null, revision))
                    .withHeader(REVISION_HEADER, Long.toString(revision));
              }
              return ApiResponse.json(200, ServiceJson.write(s, node.domain()))
                  .withHeader(REVISION_HEADER, Long.toString(revision))
                  .withHeader("ETag", etag(s));
            });
  }

  CompletableFuture<ApiResponse> list(Route.Call call) {
    ApiRequest r = call.request();
    String ns = r.param("namespace");
    String namespace = ns == null ? null : DnsLabel.normalize("namespace", ns);
    return read(ReadOptions.of(r), Scope.namespace(namespace))
        .thenApply(
            view -> {
              long revision = view.revision();
              ObjectNode out = JsonNodeFactory.instance.objectNode();
              out.put("revision", revision);
              ArrayNode arr = out.putArray("services");
              for (Service s : namespace == null ? view.services() : view.services(namespace)) {
                arr.add(ServiceJson.write(s, node.domain()));
              }
              return ApiResponse.json(200, out)
                  .withHeader(REVISION_HEADER, Long.toString(revision));
            });
  }

  /** A service's entity tag: its revision, quoted. */
  static String etag(Service s) {
    return "\"" + s.revision() + "\"";
  }

  /** The view to answer from, once the read may be answered. */
  private CompletableFuture<RegistryView> read(ReadOptions o, Scope scope) {
    if (o.blocking()) {
      CompletableFuture<Void> ready =
          o.consistent() ? barrier().thenAccept(i -> {}) : CompletableFuture.completedFuture(null);
      return ready
          .thenCompose(x -> hub.awaitChange(scope, o.index(), o.maxWait()))
          .thenApplyAsync(x -> node.view(), answers);
    }
    if (o.stale()) {
      return CompletableFuture.completedFuture(node.view());
    }
    return barrier().thenApply(i -> node.view());
  }

  private CompletableFuture<Long> barrier() {
    return node.readBarrier()
        .handle(
            (index, err) -> {
              if (err != null) {
                Throwable cause =
                    err instanceof CompletionException && err.getCause() != null
                        ? err.getCause()
                        : err;
                throw ApiException.noQuorum(
                    "linearizable read failed ("
                        + cause.getMessage()
                        + "); retry, or add ?stale to read this node's copy");
              }
              return index;
            });
  }
}
