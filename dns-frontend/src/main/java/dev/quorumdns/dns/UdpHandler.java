package dev.quorumdns.dns;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** One UDP datagram in, at most one out. Stateless, shared by every UDP channel; runs on their event loops. */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final System.Logger LOG = System.getLogger(UdpHandler.class.getName());
  private final QueryHandler handler;

  UdpHandler(QueryHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    InetSocketAddress sender = packet.sender();
    byte[] query = ByteBufUtil.getBytes(packet.content());
    handler.handle(query, Transport.UDP,
        answer -> ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(answer), sender)));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A UDP socket error (e.g. ICMP unreachable) concerns one packet; the socket stays open.
    LOG.log(System.Logger.Level.DEBUG, "UDP error: " + cause);
  }
}
