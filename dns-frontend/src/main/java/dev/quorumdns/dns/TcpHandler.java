package dev.quorumdns.dns;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One DNS-over-TCP connection, after the 2-byte length framing: every query on it is answered (several may be
 * in flight), idle connections are closed, and connections past the cap are closed at once. One instance per
 * connection; runs on its event loop.
 */
final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private static final System.Logger LOG = System.getLogger(TcpHandler.class.getName());
  private final QueryHandler handler;
  private final DnsMetrics metrics;
  private final AtomicInteger open;
  private final int max;
  private boolean counted;

  TcpHandler(QueryHandler handler, DnsMetrics metrics, AtomicInteger open, int max) {
    this.handler = handler;
    this.metrics = metrics;
    this.open = open;
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    counted = true;
    if (open.incrementAndGet() > max) {
      metrics.tcpRejected();
      ctx.close();
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (counted) {
      open.decrementAndGet();
      counted = false;
    }
    super.channelInactive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    byte[] query = ByteBufUtil.getBytes(frame);
    handler.handle(query, Transport.TCP, answer -> ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, "TCP connection " + ctx.channel().remoteAddress() + " failed: " + cause);
    ctx.close();
  }
}
