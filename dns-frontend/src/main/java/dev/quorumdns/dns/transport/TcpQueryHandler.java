package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers the DNS messages of one TCP connection (RFC 7766), each already cut from the stream by the frame
 * decoder: several queries per connection, answered in arrival order except forwarded ones, each answer
 * written with its two-byte length and flushed once per read batch. Stops reading while the peer does not read
 * its answers, and closes the connection when it has been idle too long. One instance per connection; runs on
 * the connection's event loop.
 */
public final class TcpQueryHandler extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(TcpQueryHandler.class.getName());

  private final QueryHandler handler;
  private final String nodeId;
  private boolean unflushed;

  public TcpQueryHandler(QueryHandler handler, String nodeId) {
    this.handler = handler;
    this.nodeId = nodeId;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      handler.handle(frame, Transport.TCP, client(ctx), ctx.alloc(), answer -> send(ctx, answer));
    } finally {
      frame.release();
    }
  }

  private static java.net.InetAddress client(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress() : null;
  }

  /** Writes the answer behind its length as one buffer, so answers written from other threads never interleave. */
  private void send(ChannelHandlerContext ctx, ByteBuf answer) {
    ByteBuf framed;
    try {
      framed = ctx.alloc().ioBuffer(2 + answer.readableBytes()).writeShort(answer.readableBytes())
          .writeBytes(answer);
    } finally {
      answer.release();
    }
    if (ctx.executor().inEventLoop()) {
      ctx.write(framed, ctx.voidPromise());
      unflushed = true;
    } else {
      ctx.writeAndFlush(framed, ctx.voidPromise());
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      LOG.log(System.Logger.Level.DEBUG, () -> "[" + nodeId + "] closing idle DNS TCP connection from "
          + ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, () -> "[" + nodeId + "] DNS TCP connection from "
        + ctx.channel().remoteAddress() + " failed: " + cause);
    ctx.close();
  }
}
