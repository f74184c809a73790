package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.DnsMetrics;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up each accepted DNS TCP connection: enforces the connection cap (a connection over it is closed before
 * any handler is added), then idle timeout, two-byte length framing and the query handler. Shared by all
 * connections of one server; thread-safe.
 */
public final class TcpChannelInitializer extends ChannelInitializer<Channel> {
  private static final System.Logger LOG = System.getLogger(TcpChannelInitializer.class.getName());
  /** A length prefix of 0xffff plus the two bytes of the prefix itself. */
  private static final int MAX_FRAME = 65535 + 2;

  private final QueryHandler handler;
  private final DnsMetrics metrics;
  private final Duration idleTimeout;
  private final int maxConnections;
  private final String nodeId;
  private final AtomicInteger open = new AtomicInteger();

  public TcpChannelInitializer(QueryHandler handler, DnsMetrics metrics, Duration idleTimeout, int maxConnections,
                               String nodeId) {
    this.handler = handler;
    this.metrics = metrics;
    this.idleTimeout = idleTimeout;
    this.maxConnections = maxConnections;
    this.nodeId = nodeId;
    metrics.trackTcpConnections(open);
  }

  @Override
  protected void initChannel(Channel ch) {
    init(ch);
  }

  /** Counts {@code ch} against the cap and sets up its pipeline, or closes it if the cap is reached. */
  public void init(Channel ch) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      metrics.tcpRejected();
      LOG.log(System.Logger.Level.DEBUG, () -> "[" + nodeId + "] DNS TCP connection from " + ch.remoteAddress()
          + " refused: " + maxConnections + " connections open");
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS))
        .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 2, 0, 2))
        .addLast(new TcpQueryHandler(handler, nodeId));
  }

  /** Connections open now. */
  public int openConnections() {
    return open.get();
  }
}
