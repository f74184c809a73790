package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.DnsMetrics;
import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.transport.ResponseRateLimiter.Verdict;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.dns.wire.SlipAnswer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers DNS queries arriving as datagrams on one UDP channel. Answers made while reading are
 * written without a flush and flushed once per read batch (one {@code sendmmsg} on epoll); answers
 * that arrive later (forwarded queries) are flushed at once. With a {@link ResponseRateLimiter},
 * each query is counted against its sender's prefix first: a dropped one is not even answered, a
 * slipped one is answered empty with TC. One instance per channel; runs on that channel's event
 * loop.
 */
public final class UdpQueryHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(UdpQueryHandler.class);

  private final QueryHandler handler;
  private final ResponseRateLimiter rrl;
  private final DnsMetrics metrics;
  private final String nodeId;
  private boolean unflushed;

  public UdpQueryHandler(QueryHandler handler, String nodeId) {
    this(handler, null, null, nodeId);
  }

  /**
   * @param rrl the server's rate limiter, shared by its UDP channels; null when rate limiting is
   *     off
   * @param metrics where limited answers are counted (required with {@code rrl})
   */
  public UdpQueryHandler(
      QueryHandler handler, ResponseRateLimiter rrl, DnsMetrics metrics, String nodeId) {
    this.handler = handler;
    this.rrl = rrl;
    this.metrics = metrics;
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
      Verdict verdict = rrl == null ? Verdict.SEND : rrl.admit(sender.getAddress());
      if (verdict == Verdict.DROP) {
        metrics.rrlDropped();
        return;
      }
      if (verdict == Verdict.SLIP) {
        handler.handle(
            packet.content(),
            Transport.UDP,
            sender.getAddress(),
            ctx.alloc(),
            answer -> {
              metrics.rrlSlipped();
              send(ctx, slip(ctx, answer), sender);
            });
        return;
      }
      handler.handle(
          packet.content(),
          Transport.UDP,
          sender.getAddress(),
          ctx.alloc(),
          answer -> send(ctx, answer, sender));
    } finally {
      packet.release();
    }
  }

  private static ByteBuf slip(ChannelHandlerContext ctx, ByteBuf answer) {
    try {
      return SlipAnswer.of(answer, ctx.alloc());
    } finally {
      answer.release();
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
    // A socket error on UDP (e.g. ICMP port unreachable for an earlier answer) concerns one packet;
    // keep serving.
    LOG.atDebug().log(() -> "[" + nodeId + "] UDP socket error: " + cause);
  }
}
