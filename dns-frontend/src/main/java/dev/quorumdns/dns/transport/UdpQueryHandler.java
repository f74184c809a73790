package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * Answers DNS queries arriving as datagrams on one UDP channel. Answers made while reading are written without
 * a flush and flushed once per read batch (one {@code sendmmsg} on epoll); answers that arrive later (forwarded
 * queries) are flushed at once. One instance per channel; runs on that channel's event loop.
 */
public final class UdpQueryHandler extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(UdpQueryHandler.class.getName());

  private final QueryHandler handler;
  private final String nodeId;
  private boolean unflushed;

  public UdpQueryHandler(QueryHandler handler, String nodeId) {
    this.handler = handler;
    this.nodeId = nodeId;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket packet)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      InetSocketAddress sender = packet.sender();
      handler.handle(packet.content(), Transport.UDP, ctx.alloc(), answer -> send(ctx, answer, sender));
    } finally {
      packet.release();
    }
  }

  private void send(ChannelHandlerContext ctx, ByteBuf answer, InetSocketAddress to) {
    DatagramPacket out = new DatagramPacket(answer, to);
    if (ctx.executor().inEventLoop()) {
      ctx.write(out, ctx.voidPromise());
      unflushed = true;
    } else {
      ctx.writeAndFlush(out, ctx.voidPromise());
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
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A socket error on UDP (e.g. ICMP port unreachable for an earlier answer) concerns one packet; keep serving.
    LOG.log(System.Logger.Level.DEBUG, () -> "[" + nodeId + "] UDP socket error: " + cause);
  }
}
