package dev.quorumdns.dns.wire;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;
import org.xbill.DNS.SimpleResolver;

/**
 * Sends questions outside our zones to the configured upstreams, one after the other, each with its
 * own timeout, until one answers (UDP, retried over TCP by dnsjava when the answer is truncated).
 * Thread-safe; results complete on dnsjava's I/O thread.
 */
final class Forwarder {
  private final List<SimpleResolver> upstreams = new ArrayList<>();

  Forwarder(List<InetSocketAddress> servers, Duration timeout, int payloadSize) {
    for (InetSocketAddress s : servers) {
      SimpleResolver r = new SimpleResolver(s);
      r.setTimeout(timeout);
      r.setEDNS(0, payloadSize, 0, List.of());
      upstreams.add(r);
    }
  }

  boolean enabled() {
    return !upstreams.isEmpty();
  }

  /** The first upstream answer to {@code query}, or a failed future if none answered in time. */
  CompletableFuture<Message> forward(Message query) {
    return attempt(query, 0);
  }

  private CompletableFuture<Message> attempt(Message query, int i) {
    return upstreams
        .get(i)
        .sendAsync(query)
        .toCompletableFuture()
        .handle(
            (m, e) ->
                e == null
                    ? CompletableFuture.completedFuture(m)
                    : i + 1 < upstreams.size()
                        ? attempt(query, i + 1)
                        : CompletableFuture.<Message>failedFuture(e))
        .thenCompose(f -> f);
  }
}
