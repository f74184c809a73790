package dev.quorumdns.node.raft;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Collection;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts short gRPC's reconnect back-off on this server's channels to its peers; {@link RaftRuntime}
 * asks it every {@link RaftRuntime#PEER_RECONNECT_MILLIS}.
 *
 * <p>Why: a follower talks to the other followers only in elections. Its channel to a peer that was
 * down (killed, restarted) failed and waits out gRPC's reconnect back-off (1 s, 1.6 times longer
 * per attempt, up to two minutes), and nothing uses the channel once the peer is back. When the
 * leader dies next, the follower's pre-votes to that peer fail at once until the wait ends: the
 * failover bench's 2.7 s round (an election that otherwise takes about 60 ms) was this. Ratis
 * resets the back-off only on a leader's channel to the follower it appends to, and keeps the
 * channel in a package-private class, hence the reflective call. {@code resetConnectBackoff} makes
 * a channel in transient failure try again at once and does nothing to a connected or idle one, so
 * asking often costs one connection attempt per peer that is down.
 *
 * <p>Not thread-safe; driven from the runtime's task thread.
 */
final class PeerReconnect {
  private static final Logger LOG = LoggerFactory.getLogger(PeerReconnect.class);
  private static final String CLIENT_CLASS =
      "org.apache.ratis.grpc.server.GrpcServerProtocolClient";

  private final RaftServer server;
  private final Method reset;
  private boolean warned;

  PeerReconnect(RaftServer server) {
    this.server = server;
    this.reset = resetMethod();
  }

  /**
   * Ratis' {@code GrpcServerProtocolClient.resetConnectBackoff}, made callable; null (said once)
   * when the Ratis on the classpath has no such method, so an upgrade that drops it loses only
   * this.
   */
  static Method resetMethod() {
    try {
      Method m = Class.forName(CLIENT_CLASS).getMethod("resetConnectBackoff");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "gRPC reconnect back-off between peers cannot be cut short with this Ratis ({}); an"
              + " election after a peer's restart may wait for it",
          e.toString());
      return null;
    }
  }

  /** Resets the back-off of the channels to {@code peers} (this server's own id skipped). */
  int reset(Collection<RaftPeerId> peers) {
    if (reset == null) {
      return 0;
    }
    RaftServerRpc rpc = server.getServerRpc();
    if (!(rpc instanceof RaftServerRpcWithProxy<?, ?> withProxy)) {
      return 0;
    }
    int done = 0;
    for (RaftPeerId peer : peers) {
      if (peer.equals(server.getId())) {
        continue;
      }
      try {
        Closeable proxy = withProxy.getProxies().getProxy(peer);
        if (CLIENT_CLASS.equals(proxy.getClass().getName())) {
          reset.invoke(proxy);
          done++;
        }
      } catch (InvocationTargetException | RuntimeException | IOException e) {
        // A peer just removed from the proxies, or a proxy closed meanwhile: the next round asks
        // again.
        LOG.debug("reconnect back-off of {} not reset: {}", peer, e.toString());
      } catch (IllegalAccessException e) {
        if (!warned) {
          warned = true;
          LOG.warn("gRPC reconnect back-off between peers cannot be cut short: {}", e.toString());
        }
      }
    }
    return done;
  }
}
