package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.HostilePackets.Case;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.testkit.LeakCheck;
import dev.quorumdns.dns.wire.QueryHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Each packet of {@link HostilePackets} gets the answer written beside it (an rcode, or none at all
 * and a count as malformed), at the handler over both transports and on the UDP and TCP channel
 * handlers (PARANOID leak checks); nothing fails inside the server and an ordinary query is
 * answered after each one.
 */
@ExtendWith(LeakCheck.class)
class HostileInputTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.53", 40002);
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53535);
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Case c : HostilePackets.all()) {
      for (Transport t : Transport.values()) {
        if (t == Transport.TCP || !c.tcpOnly()) {
          out.add(Arguments.of(c, t));
        }
      }
    }
    return out.stream();
  }

  /** Checks {@code answer} (null: none) against what {@code c} expects. */
  static void check(Case c, byte[] answer, String where) throws IOException {
    String what = c + " " + where;
    if (c.expected() == HostilePackets.DROPPED) {
      assertNull(answer, what);
      return;
    }
    assertNotNull(answer, "no answer: " + what);
    Message m = new Message(answer);
    assertEquals(c.expected(), m.getRcode(), what + ":\n" + m);
    assertEquals(c.id(), m.getHeader().getID(), what);
    assertTrue(m.getHeader().getFlag(Flags.QR), what);
    assertTrue(
        answer.length <= (where.contains("UDP") ? 1232 : 65535),
        what + ": " + answer.length + " bytes");
    if (c.expected() == Rcode.NOERROR && c.packet().length > 1000) {
      assertTrue(
          answer.length < 300, "options are not echoed: " + what + ": " + answer.length + " bytes");
      assertNotNull(m.getOPT(), "EDNS answered with EDNS: " + what);
    }
  }

  private static byte[] ask(QueryHandler h, byte[] packet, Transport t) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    h.handle(packet, t, out::set);
    return out.get();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("cases")
  void theHandlerAnswersAsWrittenAndKeepsServing(Case c, Transport t) throws IOException {
    DnsMetrics metrics = new DnsMetrics(new SimpleMeterRegistry());
    QueryHandler h =
        new QueryHandler(new Resolver(FX.get().config, FX.get().registry.view()), metrics);
    check(c, ask(h, c.packet(), t), "over " + t);
    // Dropped packets are counted as malformed, FORMERR ones when they cannot be parsed at all,
    // others never.
    double malformed = metrics.malformedCount();
    switch (c.expected()) {
      case HostilePackets.DROPPED -> assertEquals(1, malformed, "counted as malformed: " + c);
      case Rcode.FORMERR -> assertTrue(malformed <= 1, c.toString());
      default -> assertEquals(0, malformed, "not malformed: " + c);
    }
    byte[] after = ask(h, DnsFixture.query("web.prod.mesh.internal.", Type.A, 9), t);
    assertEquals(Rcode.NOERROR, new Message(after).getRcode(), "an ordinary query after " + c);
    assertEquals(0, metrics.errorCount(), "nothing failed inside the server: " + c);
  }

  private static ByteBuf pooled(byte[] bytes) {
    return PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
  }

  @Test
  void theUdpChannelAnswersEveryCaseAsWritten() throws IOException {
    DnsServer server =
        new DnsServer(FX.get().config, FX.get().registry.view(), new SimpleMeterRegistry());
    try {
      EmbeddedChannel ch = new EmbeddedChannel(server.udpHandler());
      for (Case c : HostilePackets.all()) {
        if (c.tcpOnly()) {
          continue;
        }
        ch.writeInbound(new DatagramPacket(pooled(c.packet()), SERVER, CLIENT));
        DatagramPacket out = ch.readOutbound();
        byte[] answer = null;
        if (out != null) {
          answer = ByteBufUtil.getBytes(out.content());
          out.release();
        }
        check(c, answer, "on the UDP channel");
        assertNull(ch.readOutbound(), "one answer at most: " + c);
      }
      assertEquals(0, server.metrics().errorCount());
      assertTrue(ch.isOpen());
      ch.finishAndReleaseAll();
    } finally {
      server.close();
    }
  }

  @Test
  void theTcpChannelAnswersEveryCaseAsWrittenOnOneConnection() throws IOException {
    DnsServer server =
        new DnsServer(FX.get().config, FX.get().registry.view(), new SimpleMeterRegistry());
    try {
      EmbeddedChannel ch = new EmbeddedChannel();
      server.initTcpChannel(ch);
      ch.pipeline().fireChannelActive();
      for (Case c : HostilePackets.all()) {
        ch.writeInbound(
            PooledByteBufAllocator.DEFAULT
                .buffer()
                .writeShort(c.packet().length)
                .writeBytes(c.packet()));
        List<byte[]> answers = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
          while (b.readableBytes() >= 2) {
            answers.add(ByteBufUtil.getBytes(b.readSlice(b.readUnsignedShort())));
          }
          b.release();
        }
        assertTrue(answers.size() <= 1, "one answer at most: " + c);
        check(c, answers.isEmpty() ? null : answers.get(0), "on the TCP channel");
        assertTrue(ch.isOpen(), "the connection survives " + c);
      }
      assertEquals(0, server.metrics().errorCount());
      ch.finishAndReleaseAll();
    } finally {
      server.close();
    }
  }
}
