package dev.quorumdns.dns.transport;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.transfer.MessageStream;
import dev.quorumdns.dns.wire.QueryHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the DNS messages of one TCP connection (RFC 7766), each already cut from the stream by
 * the frame decoder: several queries per connection, answered in arrival order except forwarded
 * ones, each answer written with its two-byte length and flushed once per read batch. Stops reading
 * while the peer does not read its answers, and closes the connection when it has been idle too
 * long.
 *
 * <p>A zone transfer's messages are written by a transfer thread, one at a time and only while the
 * connection is writable, so a transfer of any size holds at most the write buffer's high-water
 * mark in memory. While it runs the connection reads nothing more; queries already read wait and
 * are answered after its last message, so no other answer lands inside a transfer. One instance per
 * connection; runs on the connection's event loop, except the transfer pump.
 */
public final class TcpQueryHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(TcpQueryHandler.class);

  /**
   * Queries read before a transfer started and still to answer; a client sending more is not a
   * secondary.
   */
  private static final int MAX_WAITING = 64;

  private final QueryHandler handler;
  private final Executor transfers;
  private final String nodeId;
  private final Object writable = new Object();
  private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
  private boolean unflushed;
  private boolean streaming;

  public TcpQueryHandler(QueryHandler handler, String nodeId) {
    this(handler, null, nodeId);
  }

  /**
   * @param transfers runs zone transfer streams; null to write them out at once on the event loop
   *     (tests)
   */
  public TcpQueryHandler(QueryHandler handler, Executor transfers, String nodeId) {
    this.handler = handler;
    this.transfers = transfers;
    this.nodeId = nodeId;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (streaming) {
      waiting.add(frame);
      if (waiting.size() > MAX_WAITING) {
        LOG.atDebug().log(
            () ->
                "["
                    + nodeId
                    + "] closing DNS TCP connection from "
                    + ctx.channel().remoteAddress()
                    + ": more than "
                    + MAX_WAITING
                    + " queries sent during a zone transfer");
        ctx.close();
      }
      return;
    }
    answer(ctx, frame);
  }

  private void answer(ChannelHandlerContext ctx, ByteBuf frame) {
    try {
      handler.handle(frame, Transport.TCP, client(ctx), ctx.alloc(), new Reply(ctx));
    } finally {
      frame.release();
    }
  }

  private static InetAddress client(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  /** How answers on this connection are sent. */
  private final class Reply implements QueryHandler.StreamReply {
    private final ChannelHandlerContext ctx;

    Reply(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void send(ByteBuf answer) {
      TcpQueryHandler.this.send(ctx, answer);
    }

    @Override
    public void stream(MessageStream messages) {
      startStream(ctx, messages);
    }
  }

  /**
   * Writes the answer behind its length as one buffer, so answers written from other threads never
   * interleave.
   */
  private void send(ChannelHandlerContext ctx, ByteBuf answer) {
    ByteBuf framed = frame(ctx, answer);
    if (ctx.executor().inEventLoop()) {
      ctx.write(framed, ctx.voidPromise());
      unflushed = true;
    } else {
      ctx.writeAndFlush(framed, ctx.voidPromise());
    }
  }

  private static ByteBuf frame(ChannelHandlerContext ctx, ByteBuf answer) {
    try {
      return ctx.alloc()
          .ioBuffer(2 + answer.readableBytes())
          .writeShort(answer.readableBytes())
          .writeBytes(answer);
    } finally {
      answer.release();
    }
  }

  /** Event loop: stops reading and hands the stream to a transfer thread. */
  private void startStream(ChannelHandlerContext ctx, MessageStream messages) {
    if (transfers == null) {
      try (messages) {
        for (byte[] m = messages.next(); m != null; m = messages.next()) {
          send(ctx, ctx.alloc().ioBuffer(m.length).writeBytes(m));
        }
      }
      return;
    }
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    streaming = true;
    ctx.channel().config().setAutoRead(false);
    try {
      transfers.execute(() -> pump(ctx, messages));
    } catch (RejectedExecutionException e) {
      messages.close();
      ctx.close();
      streamEnded(ctx);
    }
  }

  /**
   * Transfer thread: writes each message once the connection can take it; closes the connection on
   * failure.
   */
  private void pump(ChannelHandlerContext ctx, MessageStream messages) {
    boolean complete = false;
    try (messages) {
      for (byte[] m = messages.next(); m != null; m = messages.next()) {
        if (!awaitWritable(ctx.channel())) {
          return;
        }
        ByteBuf framed = ctx.alloc().ioBuffer(2 + m.length).writeShort(m.length).writeBytes(m);
        ctx.writeAndFlush(framed, ctx.voidPromise());
      }
      complete = true;
    } catch (RuntimeException e) {
      LOG.atInfo().log(
          () ->
              "["
                  + nodeId
                  + "] zone transfer to "
                  + ctx.channel().remoteAddress()
                  + " cut short: "
                  + e);
    } finally {
      if (!complete) {
        ctx.close();
      }
      try {
        ctx.executor().execute(() -> streamEnded(ctx));
      } catch (RejectedExecutionException shuttingDown) {
        ctx.close();
      }
    }
  }

  /** Waits until the connection may be written, or is gone (false). */
  private boolean awaitWritable(Channel ch) {
    synchronized (writable) {
      while (ch.isActive() && !ch.isWritable()) {
        try {
          writable.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return ch.isActive();
  }

  /** Event loop: reads again, and answers what waited. */
  private void streamEnded(ChannelHandlerContext ctx) {
    streaming = false;
    if (!ctx.channel().isActive()) {
      releaseWaiting();
      return;
    }
    while (!streaming && !waiting.isEmpty()) {
      answer(ctx, waiting.poll());
    }
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    if (!streaming) {
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }
  }

  private void releaseWaiting() {
    while (!waiting.isEmpty()) {
      waiting.poll().release();
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
    if (streaming) {
      synchronized (writable) {
        writable.notifyAll();
      }
    } else {
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseWaiting();
    synchronized (writable) {
      writable.notifyAll();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      LOG.atDebug().log(
          () ->
              "["
                  + nodeId
                  + "] closing idle DNS TCP connection from "
                  + ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.atDebug().log(
        () ->
            "["
                + nodeId
                + "] DNS TCP connection from "
                + ctx.channel().remoteAddress()
                + " failed: "
                + cause);
    ctx.close();
  }
}
