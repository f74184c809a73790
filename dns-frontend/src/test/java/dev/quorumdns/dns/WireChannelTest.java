package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.testkit.LeakCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The server's channel handlers on EmbeddedChannel, at PARANOID leak detection ({@link LeakCheck}
 * fails the test on any report): the cached and uncached paths, FORMERR and dropped packets, TCP
 * framing, pipelining and the connection cap. Inbound buffers come from the pooled allocator and
 * must all be released.
 */
@ExtendWith(LeakCheck.class)
class WireChannelTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40001);
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53535);
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);
  DnsServer server;

  @AfterEach
  void closeServer() {
    server.close();
  }

  private DnsServer server(DnsConfig config) {
    server = new DnsServer(config, FX.get().registry.view(), new SimpleMeterRegistry());
    return server;
  }

  private static ByteBuf pooled(byte[] bytes) {
    return PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
  }

  private static Message udpAnswer(EmbeddedChannel ch) throws IOException {
    DatagramPacket out = ch.readOutbound();
    try {
      assertEquals(CLIENT, out.recipient());
      return new Message(ByteBufUtil.getBytes(out.content()));
    } finally {
      out.release();
    }
  }

  @Test
  void udpAnswersFromDnsjavaThenFromTheCacheAndReleasesEveryBuffer() throws IOException {
    EmbeddedChannel ch = new EmbeddedChannel(server(FX.get().config).udpHandler());
    List<ByteBuf> inbound = new ArrayList<>();
    for (String name : List.of("web.prod.mesh.internal.", "WEB.Prod.mesh.INTERNAL.")) {
      ByteBuf in = pooled(DnsFixture.query(name, Type.A, name.hashCode() & 0xffff));
      inbound.add(in);
      ch.writeInbound(new DatagramPacket(in, SERVER, CLIENT));
      Message m = udpAnswer(ch);
      assertEquals(name.hashCode() & 0xffff, m.getHeader().getID());
      assertEquals(name, m.getQuestion().getName().toString());
      assertEquals(1, m.getSection(Section.ANSWER).size());
    }
    assertEquals(
        1.0, server.metrics().cacheHitCount(), "the second, mixed-case query came from the cache");
    ByteBuf garbage = pooled(new byte[] {0, 5, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 99});
    ch.writeInbound(new DatagramPacket(garbage, SERVER, CLIENT));
    Message formerr = udpAnswer(ch);
    assertEquals(Rcode.FORMERR, formerr.getRcode());
    assertEquals(5, formerr.getHeader().getID());
    ByteBuf tooShort = pooled(new byte[] {1, 2, 3});
    byte[] response = DnsFixture.query("web.prod.mesh.internal.", Type.A, 8);
    response[2] |= (byte) 0x80;
    ByteBuf aResponse = pooled(response);
    ch.writeInbound(
        new DatagramPacket(tooShort, SERVER, CLIENT),
        new DatagramPacket(aResponse, SERVER, CLIENT));
    assertNull(ch.readOutbound(), "too short, and responses, are dropped unanswered");
    inbound.addAll(List.of(garbage, tooShort, aResponse));
    inbound.forEach(b -> assertEquals(0, b.refCnt(), "inbound buffer released"));
    assertTrue(ch.isOpen());
    assertFalse(ch.finish());
  }

  @Test
  void tcpFramesPipelinedAndSplitQueriesAndAnswersEachInOrder() throws IOException {
    EmbeddedChannel ch = new EmbeddedChannel();
    server(FX.get().config).initTcpChannel(ch);
    ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer();
    String[] names = {
      "web.prod.mesh.internal.",
      "Web.Prod.Mesh.Internal.",
      "nope.prod.mesh.internal.",
      "_http._tcp.web.prod.mesh.internal."
    };
    for (int i = 0; i < names.length; i++) {
      byte[] q = DnsFixture.query(names[i], i == 3 ? Type.SRV : Type.A, 10 + i);
      in.writeShort(q.length).writeBytes(q);
    }
    in.writeShort(0); // an empty frame: nothing to answer
    ch.writeInbound(in.readRetainedSlice(1));
    ch.writeInbound(in.readRetainedSlice(40));
    ch.writeInbound(in.readRetainedSlice(in.readableBytes()));
    in.release();
    List<Message> got = tcpAnswers(ch);
    assertEquals(List.of(10, 11, 12, 13), got.stream().map(m -> m.getHeader().getID()).toList());
    assertEquals("Web.Prod.Mesh.Internal.", got.get(1).getQuestion().getName().toString());
    assertEquals(Rcode.NXDOMAIN, got.get(2).getRcode());
    assertEquals(
        2, got.get(3).getSection(Section.ADDITIONAL).size(), "SRV target addresses as glue");
    assertEquals(0, in.refCnt());
    assertTrue(ch.isOpen(), "an empty frame does not close the connection");
    assertFalse(ch.finish());
  }

  @Test
  void tcpConnectionsOverTheCapAreClosedAndCountedOut() {
    DnsServer s = server(FX.get().config.withTcpLimits(Duration.ofSeconds(30), 2));
    List<EmbeddedChannel> channels = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EmbeddedChannel ch = new EmbeddedChannel();
      s.initTcpChannel(ch);
      channels.add(ch);
    }
    assertEquals(
        List.of(true, true, false), channels.stream().map(EmbeddedChannel::isOpen).toList());
    assertEquals(2, s.tcpConnections());
    channels.get(0).close();
    assertEquals(1, s.tcpConnections());
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private static List<Message> tcpAnswers(EmbeddedChannel ch) throws IOException {
    ByteBuf all = PooledByteBufAllocator.DEFAULT.buffer();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      all.writeBytes(b);
      b.release();
    }
    List<Message> out = new ArrayList<>();
    try {
      while (all.isReadable()) {
        out.add(new Message(ByteBufUtil.getBytes(all.readSlice(all.readUnsignedShort()))));
      }
    } finally {
      all.release();
    }
    return out;
  }
}
