package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.testkit.LeakCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The UDP and TCP channel handlers on EmbeddedChannel, with buffer leak detection at PARANOID. */
@ExtendWith(LeakCheck.class)
class ChannelHandlersTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53535);
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);
  DnsServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private DnsServer server(DnsConfig config) {
    server = new DnsServer(config, FX.get().registry.view(), new SimpleMeterRegistry());
    return server;
  }

  /**
   * Inbound bytes from the pooled allocator, so PARANOID leak detection tracks every one of them.
   */
  private static ByteBuf pooled(byte[] bytes) {
    return io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
  }

  private static ByteBuf framed(byte[]... queries) {
    ByteBuf b = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer();
    for (byte[] q : queries) {
      b.writeShort(q.length).writeBytes(q);
    }
    return b;
  }

  /** Reads every outbound buffer and splits it back into length-prefixed messages. */
  private static List<Message> answers(EmbeddedChannel ch) throws IOException {
    ByteBuf all = Unpooled.buffer();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      all.writeBytes(b);
      b.release();
    }
    List<Message> out = new ArrayList<>();
    while (all.readableBytes() >= 2) {
      int len = all.readUnsignedShort();
      out.add(new Message(ByteBufUtil.getBytes(all.readSlice(len))));
    }
    all.release();
    return out;
  }

  @Test
  void udpQueryGetsOneDatagramBack() throws IOException {
    EmbeddedChannel ch = new EmbeddedChannel(server(FX.get().config).udpHandler());
    ch.writeInbound(
        new DatagramPacket(
            pooled(DnsFixture.query("web.prod.mesh.internal.", Type.A, 7)), SERVER, CLIENT));
    DatagramPacket out = ch.readOutbound();
    assertEquals(CLIENT, out.recipient());
    Message m = new Message(ByteBufUtil.getBytes(out.content()));
    out.release();
    assertEquals(7, m.getHeader().getID());
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertNull(ch.readOutbound());
    // Garbage is dropped or answered FORMERR; the channel stays open.
    ch.writeInbound(new DatagramPacket(pooled(new byte[] {1, 2, 3}), SERVER, CLIENT));
    ch.writeInbound(new DatagramPacket(pooled(new byte[40]), SERVER, CLIENT));
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ((DatagramPacket) o).release();
    }
    assertTrue(ch.isOpen());
    assertFalse(ch.finish());
  }

  @Test
  void tcpAnswersPipelinedQueriesInOrderOnOneConnection() throws IOException {
    EmbeddedChannel ch = new EmbeddedChannel();
    server(FX.get().config).initTcpChannel(ch);
    ch.pipeline().fireChannelActive();
    byte[] q1 = DnsFixture.query("web.prod.mesh.internal.", Type.A, 1);
    byte[] q2 = DnsFixture.query("nope.prod.mesh.internal.", Type.A, 2);
    byte[] q3 = DnsFixture.query("_http._tcp.web.prod.mesh.internal.", Type.SRV, 3);
    ByteBuf in = framed(q1, q2, q3);
    // Split across reads in an awkward place, as a slow client would send it.
    ch.writeInbound(in.readRetainedSlice(5));
    ch.writeInbound(in.readRetainedSlice(in.readableBytes()));
    in.release();
    List<Message> got = answers(ch);
    assertEquals(3, got.size());
    assertEquals(List.of(1, 2, 3), got.stream().map(m -> m.getHeader().getID()).toList());
    assertEquals(Rcode.NXDOMAIN, got.get(1).getRcode());
    ch.writeInbound(framed(new byte[] {9, 9, 9, 9}));
    answers(ch);
    assertTrue(ch.isOpen(), "a bad frame does not close the connection");
    ch.finishAndReleaseAll();
  }

  @Test
  void idleTcpConnectionsAreClosed() {
    EmbeddedChannel ch = new EmbeddedChannel();
    server(FX.get().config.withTcpLimits(Duration.ofSeconds(5), 10)).initTcpChannel(ch);
    ch.pipeline().fireChannelActive();
    ch.advanceTimeBy(6, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertFalse(ch.isOpen(), "idle connection closed");
    ch.finishAndReleaseAll();
  }

  @Test
  void connectionsPastTheCapAreClosed() {
    DnsServer s = server(FX.get().config.withTcpLimits(Duration.ofSeconds(30), 1));
    EmbeddedChannel first = new EmbeddedChannel();
    s.initTcpChannel(first);
    first.pipeline().fireChannelActive();
    EmbeddedChannel second = new EmbeddedChannel();
    s.initTcpChannel(second);
    second.pipeline().fireChannelActive();
    assertTrue(first.isOpen());
    assertFalse(second.isOpen(), "over the cap");
    first.close();
    EmbeddedChannel third = new EmbeddedChannel();
    s.initTcpChannel(third);
    third.pipeline().fireChannelActive();
    assertTrue(third.isOpen(), "room again once the first left");
    first.finishAndReleaseAll();
    second.finishAndReleaseAll();
    third.finishAndReleaseAll();
  }
}
