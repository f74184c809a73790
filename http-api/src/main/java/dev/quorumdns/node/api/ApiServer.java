package dev.quorumdns.node.api;

import dev.quorumdns.node.config.ApiAccess;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP API on Netty: HTTP/1.1 with keep-alive, bodies capped at {@value #MAX_BODY} bytes
 * (413), connections with nothing to read and no answer pending closed after {@value #IDLE_SECONDS}
 * s (a blocking read or a watch stream keeps its connection), requests that do not arrive whole in
 * time answered 408 and connections over the caps 503 ({@link ConnectionGuards}). Handlers may
 * answer from any thread; a streamed answer ({@link StreamBody}) takes its connection over once its
 * head is written. Closing stops accepting, then lets the requests already being handled answer (up
 * to {@link #DRAIN}) before it closes their connections: a node that stops on its own (removed from
 * the cluster through its own API) still answers the call that removed it.
 */
public final class ApiServer implements AutoCloseable {
  static final int MAX_BODY = 1024 * 1024;
  static final int IDLE_SECONDS = 60;

  /** How long {@link #close} waits for requests already being handled to answer. */
  static final Duration DRAIN = Duration.ofSeconds(3);

  /** Set on a connection whose answer is a stream: it reads no more requests. */
  private static final AttributeKey<Boolean> STREAMING =
      AttributeKey.valueOf("quorumdns.streaming");

  /** The request headers handlers may read, besides Authorization (lower case). */
  private static final List<AsciiString> CONDITIONAL_HEADERS =
      List.of(HttpHeaderNames.IF_MATCH, HttpHeaderNames.IF_NONE_MATCH);

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final InetSocketAddress bind;
  private final ApiRoutes routes;
  private final MeterRegistry meters;

  /**
   * One timer per route, method and status, built once (building one per request cost a registry
   * lookup).
   */
  private final ConcurrentHashMap<String, Timer> requestTimers = new ConcurrentHashMap<>();

  private final ApiAccess access;
  private final SslContext ssl;
  private final ConnectionGuards.ConnectionLimiter limiter;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Channel channel;

  /** Requests received and not yet answered; guarded by itself for {@link #close} to wait on. */
  private final Object answering = new Object();

  private int unanswered;

  /**
   * @param ssl HTTPS only when not null (the node's reloading TLS material)
   */
  public ApiServer(
      InetSocketAddress bind,
      ApiRoutes routes,
      MeterRegistry meters,
      ApiAccess access,
      SslContext ssl) {
    this.bind = bind;
    this.routes = routes;
    this.meters = meters;
    this.access = access;
    this.ssl = ssl;
    this.limiter =
        new ConnectionGuards.ConnectionLimiter(
            access.maxConnections(), access.maxConnectionsPerClient(), meters);
  }

  public void start() throws InterruptedException {
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      ch.pipeline()
                          .addLast(ssl.newHandler(ch.alloc()))
                          .addLast(new HandshakeLogger());
                    }
                    ConnectionGuards.RequestDeadline deadline =
                        new ConnectionGuards.RequestDeadline(access.requestTimeout());
                    ch.pipeline()
                        .addLast(limiter)
                        .addLast(new ConnectionGuards.IdleGuard(IDLE_SECONDS))
                        .addLast(deadline.start())
                        .addLast(new HttpServerCodec(8192, 16384, 8192))
                        .addLast(new JsonLimitAggregator())
                        .addLast(deadline.end())
                        .addLast(new Handler());
                  }
                })
            .bind(bind)
            .sync()
            .channel();
    LOG.info("HTTP API listening on {}", channel.localAddress());
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    awaitAnswered();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Waits, up to {@link #DRAIN}, until every request received so far has been answered. */
  private void awaitAnswered() {
    long deadline = System.nanoTime() + DRAIN.toNanos();
    synchronized (answering) {
      try {
        for (long left = DRAIN.toNanos();
            unanswered > 0 && left > 0;
            left = deadline - System.nanoTime()) {
          TimeUnit.NANOSECONDS.timedWait(answering, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (unanswered > 0) {
        LOG.warn(
            "closing the HTTP API with {} request(s) still unanswered after {} ms",
            unanswered,
            DRAIN.toMillis());
      }
    }
  }

  private void received() {
    synchronized (answering) {
      unanswered++;
    }
  }

  private void answered() {
    synchronized (answering) {
      if (--unanswered == 0) {
        answering.notifyAll();
      }
    }
  }

  /**
   * Logs refused TLS handshakes (no client certificate, one from another CA, plain HTTP) and closes
   * them.
   */
  private static final class HandshakeLogger extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
        LOG.info(
            "HTTPS handshake from {} refused: {}",
            ctx.channel().remoteAddress(),
            e.cause().toString());
        ctx.close();
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  /** Answers over-long bodies with our JSON error instead of an empty 413. */
  private static final class JsonLimitAggregator extends HttpObjectAggregator {
    JsonLimitAggregator() {
      super(MAX_BODY);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ApiResponse r =
          ApiResponse.error(
              new ApiException(
                  413, "too_large", "body", "body is larger than " + MAX_BODY + " bytes", null));
      FullHttpResponse resp = toNetty(r);
      HttpUtil.setKeepAlive(resp, false);
      ConnectionGuards.answerAndClose(ctx, resp);
    }
  }

  private Timer requestTimer(String route, String method, int status) {
    return requestTimers.computeIfAbsent(
        route + ' ' + method + ' ' + status,
        k ->
            Timer.builder("quorumdns.api.requests")
                .description("HTTP API requests by route, method and status")
                .tag("route", route)
                .tag("method", method)
                .tag("status", Integer.toString(status))
                .register(meters));
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      long start = System.nanoTime();
      if (ctx.channel().hasAttr(STREAMING)) {
        return; // the connection carries a stream now; what else the client sends is dropped
      }
      if (req.decoderResult().isFailure()) {
        FullHttpResponse bad =
            toNetty(
                ApiResponse.error(
                    new ApiException(
                        400,
                        "bad_request",
                        null,
                        "malformed HTTP request: " + req.decoderResult().cause().getMessage(),
                        null)));
        HttpUtil.setKeepAlive(bad, false);
        ConnectionGuards.answerAndClose(ctx, bad);
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      ApiRequest r = toApi(req, (InetSocketAddress) ctx.channel().remoteAddress());
      ConnectionGuards.IdleGuard idle = ctx.pipeline().get(ConnectionGuards.IdleGuard.class);
      idle.begin();
      received();
      routes
          .handle(r)
          .whenComplete(
              (resp, err) -> {
                ApiResponse answer = err != null ? ApiRoutes.toError(err) : resp;
                if (answer.stream() != null) {
                  ctx.executor()
                      .execute(
                          () -> {
                            answered(); // a stream takes its connection over: nothing to wait for
                            // when closing
                            startStream(ctx, answer);
                          });
                } else {
                  FullHttpResponse out = toNetty(answer);
                  HttpUtil.setKeepAlive(out, keepAlive);
                  ChannelFuture f = ctx.writeAndFlush(out);
                  f.addListener(
                      x -> {
                        idle.end();
                        answered();
                      });
                  if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                  }
                }
                requestTimer(routes.metricName(r), r.method(), answer.status())
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
              });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /**
   * Writes a streamed answer's head and hands the connection to its body, which ends it by closing
   * it (the connection stays busy for the idle guard until then).
   */
  private static void startStream(ChannelHandlerContext ctx, ApiResponse answer) {
    if (!ctx.channel().isActive()) {
      answer.stream().abandon();
      return;
    }
    ctx.channel().attr(STREAMING).set(Boolean.TRUE);
    HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()));
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    answer.headers().forEach((k, v) -> head.headers().set(k, v));
    ctx.writeAndFlush(head);
    answer.stream().start(ctx.channel());
  }

  private static ApiRequest toApi(FullHttpRequest req, InetSocketAddress remote) {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    List<String> path = new ArrayList<>();
    for (String s : q.rawPath().split("/")) {
      if (!s.isEmpty()) {
        path.add(QueryStringDecoder.decodeComponent(s));
      }
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    String method = req.method().name();
    if (method.equals("HEAD")) {
      method = "GET";
    }
    Map<String, String> headers = new HashMap<>();
    for (CharSequence name : CONDITIONAL_HEADERS) {
      String v = req.headers().get(name);
      if (v != null) {
        headers.put(name.toString(), v);
      }
    }
    return new ApiRequest(
        method,
        path,
        q.parameters(),
        body,
        req.headers().get(HttpHeaderNames.AUTHORIZATION),
        remote,
        headers);
  }

  private static FullHttpResponse toNetty(ApiResponse r) {
    FullHttpResponse out =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            Unpooled.wrappedBuffer(r.body()));
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    out.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    r.headers().forEach((k, v) -> out.headers().set(k, v));
    return out;
  }
}
