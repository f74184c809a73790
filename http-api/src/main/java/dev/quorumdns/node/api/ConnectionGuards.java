package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection-level guards of the HTTP API, in front of the HTTP codec: a cap on open connections
 * per node and per client address, and a deadline for each request to arrive whole (against
 * slow-loris clients). Refusals are written as raw HTTP answers (503, 408) and the connection is
 * closed.
 */
final class ConnectionGuards {
  /**
   * How long a connection that has had its last answer still reads (and drops) before it is closed.
   */
  static final Duration LINGER = Duration.ofSeconds(2);

  private static final AttributeKey<Boolean> LINGERING =
      AttributeKey.valueOf("quorumdns.lingering");

  private ConnectionGuards() {}

  /** A JSON error answer as raw bytes, for handlers that sit below the HTTP codec. */
  static ByteBuf rawAnswer(
      int status, String reason, String code, String message, boolean retryAfter) {
    String body =
        JsonNodeFactory.instance.objectNode().put("error", code).put("message", message).toString()
            + "\n";
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + b.length
            + "\r\nConnection: close\r\nCache-Control: no-store\r\n"
            + (retryAfter ? "Retry-After: 1\r\n" : "")
            + "\r\n";
    return Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b);
  }

  /**
   * Writes a connection's last answer, then stops writing (FIN), drops whatever the client still
   * sends and closes after {@link #LINGER}. Closing at once with unread bytes in the socket makes
   * the kernel send a reset, which can destroy the answer before the client has read it: a client
   * still sending an oversized body saw "no bytes" instead of its 413. This is nginx's lingering
   * close.
   */
  static void answerAndClose(ChannelHandlerContext ctx, Object answer) {
    Channel ch = ctx.channel();
    ch.attr(LINGERING).set(Boolean.TRUE);
    ctx.writeAndFlush(answer)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || !(ch instanceof SocketChannel s) || !ch.isActive()) {
                    ch.close();
                    return;
                  }
                  s.shutdownOutput()
                      .addListener(
                          x ->
                              ch.eventLoop()
                                  .schedule(
                                      () -> {
                                        ch.close();
                                      },
                                      LINGER.toMillis(),
                                      TimeUnit.MILLISECONDS));
                });
  }

  static boolean lingering(Channel ch) {
    return ch.hasAttr(LINGERING) && Boolean.TRUE.equals(ch.attr(LINGERING).get());
  }

  /**
   * Counts open connections, in total and per client address, and refuses those over a cap with 503
   * ({@code too_many_connections}) on their first bytes. One instance per server, shared by its
   * channels; thread-safe.
   */
  @ChannelHandler.Sharable
  static final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<String> REFUSED = AttributeKey.valueOf("quorumdns.refused");
    private static final AttributeKey<InetAddress> CLIENT =
        AttributeKey.valueOf("quorumdns.client");
    private final int max;
    private final int maxPerClient;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final Counter refusedNode;
    private final Counter refusedClient;

    ConnectionLimiter(int max, int maxPerClient, MeterRegistry meters) {
      this.max = max;
      this.maxPerClient = maxPerClient;
      Gauge.builder("quorumdns.api.connections", open, AtomicInteger::get)
          .description("Open HTTP API connections")
          .register(meters);
      refusedNode =
          Counter.builder("quorumdns.api.connections.refused")
              .tag("cap", "node")
              .description("HTTP API connections refused for being over a cap")
              .register(meters);
      refusedClient =
          Counter.builder("quorumdns.api.connections.refused")
              .tag("cap", "client")
              .description("HTTP API connections refused for being over a cap")
              .register(meters);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      InetAddress client =
          ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
      ctx.channel().attr(CLIENT).set(client);
      int total = open.incrementAndGet();
      int mine = client == null ? 0 : perClient.merge(client, 1, Integer::sum);
      String refusal = null;
      if (mine > maxPerClient) {
        refusedClient.increment();
        refusal =
            "this client address already has "
                + maxPerClient
                + " open connections to this node (api-max-connections-per-client); close some and retry";
      } else if (total > max) {
        refusedNode.increment();
        refusal =
            "this node already has "
                + max
                + " open HTTP connections (api-max-connections); retry shortly";
      }
      if (refusal != null) {
        ctx.channel().attr(REFUSED).set(refusal);
        // Answered on its first bytes (so the client reads the answer, not a reset); closed anyway
        // soon.
        ctx.executor().schedule((Runnable) ctx::close, 2, TimeUnit.SECONDS);
        return;
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      String refusal = ctx.channel().attr(REFUSED).get();
      if (refusal == null) {
        super.channelRead(ctx, msg);
        return;
      }
      ReferenceCountUtil.release(msg);
      if (refusal.isEmpty()) {
        return;
      }
      ctx.channel().attr(REFUSED).set("");
      answerAndClose(
          ctx, rawAnswer(503, "Service Unavailable", "too_many_connections", refusal, true));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      open.decrementAndGet();
      InetAddress client = ctx.channel().attr(CLIENT).get();
      if (client != null) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
      }
      if (ctx.channel().attr(REFUSED).get() == null) {
        super.channelInactive(ctx);
      }
    }
  }

  /**
   * Closes a connection whose request does not arrive whole within the deadline: armed when the
   * connection opens and on the first byte of each request, disarmed when the whole request has
   * been read. Its {@link #start()} handler goes in front of the HTTP codec, its {@link #end()}
   * handler after the aggregator. One instance per connection, used on its event loop only.
   */
  static final class RequestDeadline {
    private final Duration timeout;
    private ChannelHandlerContext startCtx;
    private ScheduledFuture<?> timer;
    private boolean waiting;

    RequestDeadline(Duration timeout) {
      this.timeout = timeout;
    }

    ChannelHandler start() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
          startCtx = ctx;
          arm();
          super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
          if (lingering(ctx.channel())) {
            ReferenceCountUtil.release(
                msg); // after the connection's last answer nothing more is handled
            return;
          }
          if (!waiting && msg instanceof ByteBuf b && b.isReadable()) {
            arm();
          }
          super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
          disarm();
          super.channelInactive(ctx);
        }
      };
    }

    ChannelHandler end() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
          if (msg instanceof FullHttpRequest) {
            disarm();
          }
          super.channelRead(ctx, msg);
        }
      };
    }

    private void arm() {
      disarm();
      waiting = true;
      timer = startCtx.executor().schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void disarm() {
      waiting = false;
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }

    private void expire() {
      if (!waiting || !startCtx.channel().isActive() || lingering(startCtx.channel())) {
        return;
      }
      waiting = false;
      answerAndClose(
          startCtx,
          rawAnswer(
              408,
              "Request Timeout",
              "request_timeout",
              "the request did not arrive "
                  + "whole within "
                  + timeout.toMillis()
                  + " ms of its first byte (api-request-timeout)",
              false));
    }
  }

  /**
   * Closes a connection that has read nothing for a while and has no answer pending: unlike a plain
   * read timeout, a blocking read (up to ten minutes) or a watch stream keeps its connection
   * however quiet the client is. One instance per connection; {@link #begin} and {@link #end} may
   * be called from any thread.
   */
  static final class IdleGuard extends IdleStateHandler {
    private final AtomicInteger pending = new AtomicInteger();

    IdleGuard(int seconds) {
      super(seconds, 0, 0, TimeUnit.SECONDS);
    }

    /** A request was read: its answer is pending. */
    void begin() {
      pending.incrementAndGet();
    }

    /** An answer was written. */
    void end() {
      pending.decrementAndGet();
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
      if (evt.state() == IdleState.READER_IDLE && pending.get() <= 0) {
        ctx.close();
      }
    }
  }
}
