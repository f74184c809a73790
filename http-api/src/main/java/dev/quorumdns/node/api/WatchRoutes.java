package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.api.watch.WatchHub;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.RegistrySnapshot;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/watch?from=R[&namespace=ns]}: one JSON line per change after revision R, then
 * progress lines while idle, from this node's replica (no leader needed). R defaults to the
 * replica's revision now; one older than the change log keeps is 410 {@code gone} with the oldest
 * revision the node can resume from. Thread-safe.
 */
final class WatchRoutes {
  static final String CONTENT_TYPE = "application/x-ndjson";
  private final NodeRuntime node;
  private final WatchHub hub;

  WatchRoutes(NodeRuntime node, WatchHub hub) {
    this.node = node;
    this.hub = hub;
  }

  CompletableFuture<ApiResponse> watch(Route.Call call) {
    ApiRequest r = call.request();
    String ns = r.param("namespace");
    String namespace = ns == null ? null : DnsLabel.normalize("namespace", ns);
    Long from = ReadOptions.revision(r, "from");
    long current = node.view().revision();
    long start = from == null ? current : from;
    long oldest = oldestKept();
    if (start < oldest) {
      ObjectNode body =
          JsonNodeFactory.instance
              .objectNode()
              .put("error", "gone")
              .put("field", "from")
              .put(
                  "message",
                  "from: changes after revision "
                      + start
                      + " are no longer kept on this node (the oldest "
                      + "it can resume from is "
                      + oldest
                      + "); list the services again and watch from the list's revision")
              .put("revision", current)
              .put("oldestRevision", oldest);
      return CompletableFuture.completedFuture(
          ApiResponse.json(410, body)
              .withHeader(ServiceReads.REVISION_HEADER, Long.toString(current)));
    }
    InetAddress client = r.remote() == null ? null : r.remote().getAddress();
    WatchHub.Ticket ticket = hub.admit(client);
    StreamBody body =
        new StreamBody() {
          @Override
          public void start(Channel channel) {
            hub.attach(channel, start, namespace, ticket);
          }

          @Override
          public void abandon() {
            ticket.release();
          }
        };
    return CompletableFuture.completedFuture(
        ApiResponse.stream(
            200, CONTENT_TYPE, Map.of(ServiceReads.REVISION_HEADER, Long.toString(start)), body));
  }

  /**
   * The oldest revision the change log can resume from, read from the replica itself: the hub's
   * copy is updated on its own thread after each apply, so a client told to resume from the value
   * it had could be refused again.
   */
  private long oldestKept() {
    try (RegistrySnapshot snap = node.readSnapshot()) {
      return Math.max(hub.oldestRevision(), snap.changeLog().oldestRevision());
    } catch (IOException e) {
      return hub.oldestRevision();
    }
  }
}
