package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.DnsMetrics;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up each accepted DNS TCP connection: enforces the connection cap and the per-client cap (a
 * connection over either is closed before any handler is added), then idle timeout, two-byte length
 * framing and the query handler. Zone transfers are TCP connections like any other: they count
 * against both caps. Shared by all connections of one server; thread-safe.
 */
public final class TcpChannelInitializer extends ChannelInitializer<Channel> {
  private static final Logger LOG = LoggerFactory.getLogger(TcpChannelInitializer.class);

  /** A length prefix of 0xffff plus the two bytes of the prefix itself. */
  private static final int MAX_FRAME = 65535 + 2;

  private final QueryHandler handler;
  private final DnsMetrics metrics;
  private final Duration idleTimeout;
  private final int maxConnections;
  private final int perClient;
  private final String nodeId;
  private final Executor transfers;
  private final AtomicInteger open = new AtomicInteger();

  /** Open connections by client address; an entry leaves with its client's last connection. */
  private final ConcurrentHashMap<InetAddress, Integer> byClient = new ConcurrentHashMap<>();

  public TcpChannelInitializer(
      QueryHandler handler,
      DnsMetrics metrics,
      Duration idleTimeout,
      int maxConnections,
      String nodeId) {
    this(handler, metrics, idleTimeout, maxConnections, 0, nodeId);
  }

  /**
   * @param perClient connections one client address may hold open at once; 0 for no such cap
   */
  public TcpChannelInitializer(
      QueryHandler handler,
      DnsMetrics metrics,
      Duration idleTimeout,
      int maxConnections,
      int perClient,
      String nodeId) {
    this(handler, metrics, idleTimeout, maxConnections, perClient, nodeId, null);
  }

  /**
   * @param transfers where zone transfer streams run; null writes them on the event loop (tests)
   */
  public TcpChannelInitializer(
      QueryHandler handler,
      DnsMetrics metrics,
      Duration idleTimeout,
      int maxConnections,
      int perClient,
      String nodeId,
      Executor transfers) {
    this.transfers = transfers;
    this.handler = handler;
    this.metrics = metrics;
    this.idleTimeout = idleTimeout;
    this.maxConnections = maxConnections;
    this.perClient = perClient;
    this.nodeId = nodeId;
    metrics.trackTcpConnections(open);
  }

  @Override
  protected void initChannel(Channel ch) {
    init(ch);
  }

  /**
   * Counts {@code ch} against the cap and sets up its pipeline, or closes it if the cap is reached.
   */
  public void init(Channel ch) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      metrics.tcpRejected();
      LOG.atDebug().log(
          () ->
              "["
                  + nodeId
                  + "] DNS TCP connection from "
                  + ch.remoteAddress()
                  + " refused: "
                  + maxConnections
                  + " connections open");
      ch.close();
      return;
    }
    InetAddress client = clientOf(ch.remoteAddress());
    if (perClient > 0 && client != null && !claim(client)) {
      open.decrementAndGet();
      metrics.tcpRejectedPerClient();
      LOG.atDebug().log(
          () ->
              "["
                  + nodeId
                  + "] DNS TCP connection from "
                  + ch.remoteAddress()
                  + " refused: that client has "
                  + perClient
                  + " connections open");
      ch.close();
      return;
    }
    ch.closeFuture()
        .addListener(
            f -> {
              open.decrementAndGet();
              if (perClient > 0 && client != null) {
                byClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
              }
            });
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS))
        .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 2, 0, 2))
        .addLast(new TcpQueryHandler(handler, transfers, nodeId));
  }

  /**
   * Counts one more connection for {@code client}, unless it already has {@code perClient} open.
   */
  private boolean claim(InetAddress client) {
    boolean[] claimed = new boolean[1];
    byClient.compute(
        client,
        (k, n) -> {
          int now = n == null ? 0 : n;
          claimed[0] = now < perClient;
          return claimed[0] ? now + 1 : now;
        });
    return claimed[0];
  }

  private static InetAddress clientOf(SocketAddress remote) {
    return remote instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  /** Connections open now from {@code client}. */
  public int openConnections(InetAddress client) {
    return byClient.getOrDefault(client, 0);
  }

  /** Connections open now. */
  public int openConnections() {
    return open.get();
  }
}
