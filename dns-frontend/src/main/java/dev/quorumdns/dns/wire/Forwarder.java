package dev.quorumdns.dns.wire;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;
import org.xbill.DNS.SimpleResolver;

/**
 * Sends questions outside our zones to the configured upstreams, one after the other until one answers within
 * its timeout. Thread-safe.
 */
final class Forwarder {
  private final List<SimpleResolver> upstreams = new ArrayList<>();

  Forwarder(List<InetSocketAddress> servers, Duration timeout) {
    for (InetSocketAddress s : servers) {
      SimpleResolver r = new SimpleResolver(s);
      r.setTimeout(timeout);
      r.setEDNS(0, 1232, 0, List.of());
      upstreams.add(r);
    }
  }

  boolean enabled() {
    return !upstreams.isEmpty();
  }

  /** The upstream's answer, or a failed future if none answered. */
  CompletableFuture<Message> forward(Message query) {
    return attempt(query, 0);
  }

  private CompletableFuture<Message> attempt(Message query, int i) {
    return upstreams.get(i).sendAsync(query).toCompletableFuture()
        .handle((m, e) -> {
          if (e == null) {
            return CompletableFuture.completedFuture(m);
          }
          if (i + 1 < upstreams.size()) {
            return attempt(query, i + 1);
          }
          return CompletableFuture.<Message>failedFuture(e);
        })
        .thenCompose(f -> f);
  }
}
