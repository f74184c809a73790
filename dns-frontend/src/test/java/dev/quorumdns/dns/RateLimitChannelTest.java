package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Response-rate limiting in the server's UDP handler on EmbeddedChannel (PARANOID leak checks, a
 * settable clock): what a limited client receives (answers, empty TC slips, silence), the counters,
 * other prefixes, exemption, refill, and TCP, which is never limited.
 */
@ExtendWith(LeakCheck.class)
class RateLimitChannelTest {
  private static final int RATE = 5;
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53535);
  private static final InetSocketAddress FLOODER = new InetSocketAddress("192.0.2.10", 40000);
  private static final InetSocketAddress NEIGHBOUR = new InetSocketAddress("192.0.2.77", 40000);
  private static final InetSocketAddress OTHER = new InetSocketAddress("198.51.100.1", 40000);
  private static final InetSocketAddress TRUSTED = new InetSocketAddress("203.0.113.5", 40000);
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);
  final AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  DnsServer server;

  @AfterEach
  void closeServer() {
    server.close();
  }

  private EmbeddedChannel limited(int slip) {
    AbuseLimits l =
        AbuseLimits.defaults()
            .withRrl(
                RATE,
                slip,
                AddressRanges.parse("dns-rrl-exempt", AddressRanges.LOOPBACK + ",203.0.113.0/24"));
    server =
        new DnsServer(
            FX.get().config.withLimits(l),
            FX.get().registry.view(),
            new SimpleMeterRegistry(),
            clock::get);
    return new EmbeddedChannel(server.udpHandler());
  }

  private static ByteBuf pooled(byte[] bytes) {
    return PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
  }

  /**
   * Sends {@code n} queries (ids from {@code firstId}) and returns the datagrams that came back,
   * parsed.
   */
  private static List<Message> ask(
      EmbeddedChannel ch, InetSocketAddress from, int n, int firstId, byte[] template)
      throws IOException {
    for (int i = 0; i < n; i++) {
      byte[] q = template.clone();
      q[0] = (byte) ((firstId + i) >> 8);
      q[1] = (byte) (firstId + i);
      ch.writeInbound(new DatagramPacket(pooled(q), SERVER, from));
    }
    List<Message> out = new ArrayList<>();
    for (DatagramPacket p; (p = ch.readOutbound()) != null; ) {
      try {
        assertEquals(from, p.recipient());
        out.add(new Message(ByteBufUtil.getBytes(p.content())));
      } finally {
        p.release();
      }
    }
    return out;
  }

  private static byte[] webA() {
    return DnsFixture.query("Web.Prod.mesh.internal.", Type.A, 0);
  }

  @Test
  void aFloodGetsTheRateThenEmptyTruncatedSlipsAndSilence() throws IOException {
    EmbeddedChannel ch = limited(2);
    List<Message> got = ask(ch, FLOODER, RATE + 6, 100, webA());
    assertEquals(RATE + 3, got.size(), "5 answers, 3 slips; 3 dropped");
    for (int i = 0; i < RATE; i++) {
      Message m = got.get(i);
      assertEquals(100 + i, m.getHeader().getID());
      assertEquals(1, m.getSection(Section.ANSWER).size(), "a whole answer");
      assertFalse(m.getHeader().getFlag(Flags.TC));
    }
    List<Integer> slipIds = new ArrayList<>();
    for (Message m : got.subList(RATE, got.size())) {
      slipIds.add(m.getHeader().getID());
      assertTrue(m.getHeader().getFlag(Flags.TC), "slip has TC:\n" + m);
      assertTrue(m.getHeader().getFlag(Flags.QR));
      assertTrue(m.getHeader().getFlag(Flags.AA));
      assertEquals(Rcode.NOERROR, m.getRcode());
      assertEquals(0, m.getSection(Section.ANSWER).size());
      assertEquals(0, m.getSection(Section.AUTHORITY).size());
      assertEquals(0, m.getSection(Section.ADDITIONAL).size());
      assertEquals(
          "Web.Prod.mesh.internal.",
          m.getQuestion().getName().toString(),
          "question echoed as asked");
    }
    assertEquals(
        List.of(105, 107, 109), slipIds, "the first limited answer slips, then every other one");
    assertEquals(3, server.metrics().rrlSlippedCount());
    assertEquals(3, server.metrics().rrlDroppedCount());
    assertEquals(
        0,
        ask(ch, NEIGHBOUR, 4, 200, webA()).stream()
            .filter(m -> !m.getHeader().getFlag(Flags.TC))
            .count(),
        "the same /24 shares the spent bucket");
    assertEquals(RATE, ask(ch, OTHER, RATE, 300, webA()).size(), "another prefix is answered");
    assertEquals(
        40,
        ask(ch, TRUSTED, 40, 400, webA()).stream()
            .filter(m -> m.getSection(Section.ANSWER).size() == 1)
            .count(),
        "an exempt prefix is never limited");
    assertFalse(ch.finish());
  }

  @Test
  void theBucketRefillsWithTheClock() throws IOException {
    EmbeddedChannel ch = limited(0);
    assertEquals(
        RATE,
        ask(ch, FLOODER, RATE * 4, 1, webA()).size(),
        "slip 0: limited answers are all dropped");
    assertEquals(0, ask(ch, FLOODER, 3, 1, webA()).size());
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(400)); // 2 tokens at 5/s
    assertEquals(2, ask(ch, FLOODER, 3, 1, webA()).size());
    clock.addAndGet(TimeUnit.SECONDS.toNanos(30));
    assertEquals(RATE, ask(ch, FLOODER, RATE + 2, 1, webA()).size(), "full again, and no fuller");
    assertEquals(0, server.metrics().rrlSlippedCount());
    assertFalse(ch.finish());
  }

  @Test
  void aSlipKeepsEdnsWithoutItsOptions() throws IOException {
    EmbeddedChannel ch = limited(1);
    Message q =
        Message.newQuery(
            org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromConstantString("nope.prod.mesh.internal."),
                Type.A,
                org.xbill.DNS.DClass.IN));
    q.addRecord(
        new OPTRecord(
            1232,
            0,
            0,
            org.xbill.DNS.ExtendedFlags.DO,
            List.of(new org.xbill.DNS.NSIDOption(new byte[0]))),
        Section.ADDITIONAL);
    List<Message> got = ask(ch, FLOODER, RATE + 1, 1, q.toWire());
    assertEquals(Rcode.NXDOMAIN, got.get(0).getRcode());
    Message slip = got.get(RATE);
    assertTrue(slip.getHeader().getFlag(Flags.TC));
    assertEquals(Rcode.NOERROR, slip.getRcode(), "a slip says nothing but: ask again over TCP");
    OPTRecord opt = slip.getOPT();
    assertNotNull(opt, "EDNS answered with EDNS");
    assertEquals(FX.get().config.udpPayloadSize(), opt.getPayloadSize());
    assertEquals(org.xbill.DNS.ExtendedFlags.DO, opt.getFlags() & org.xbill.DNS.ExtendedFlags.DO);
    assertEquals(0, slip.getSection(Section.AUTHORITY).size(), "no SOA in a slip");
    assertFalse(ch.finish());
  }

  @Test
  void aSlipOfABareFormerrIsABareTruncatedHeader() throws IOException {
    EmbeddedChannel ch = limited(1);
    ask(ch, FLOODER, RATE, 1, webA());
    byte[] cut = java.util.Arrays.copyOf(webA(), 20);
    List<Message> got = ask(ch, FLOODER, 1, 0x4711, cut);
    assertEquals(1, got.size());
    Message slip = got.get(0);
    assertEquals(0x4711, slip.getHeader().getID());
    assertTrue(slip.getHeader().getFlag(Flags.TC));
    assertEquals(Rcode.NOERROR, slip.getRcode());
    assertEquals(0, slip.getHeader().getCount(Section.QUESTION));
    assertEquals(1, server.metrics().rrlSlippedCount());
    assertFalse(ch.finish());
  }

  @Test
  void tcpIsNeverRateLimited() throws IOException {
    AbuseLimits l = AbuseLimits.defaults().withRrl(1, 2, AddressRanges.none());
    server =
        new DnsServer(
            FX.get().config.withLimits(l),
            FX.get().registry.view(),
            new SimpleMeterRegistry(),
            clock::get);
    EmbeddedChannel ch = new EmbeddedChannel();
    server.initTcpChannel(ch);
    ch.pipeline().fireChannelActive();
    ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer();
    for (int i = 0; i < 20; i++) {
      byte[] q = DnsFixture.query("web.prod.mesh.internal.", Type.A, i);
      in.writeShort(q.length).writeBytes(q);
    }
    ch.writeInbound(in);
    int answers = 0;
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      while (b.readableBytes() >= 2) {
        b.skipBytes(b.readUnsignedShort());
        answers++;
      }
      b.release();
    }
    assertEquals(20, answers);
    assertEquals(0, server.metrics().rrlDroppedCount() + server.metrics().rrlSlippedCount());
    assertNull(ch.readOutbound());
    ch.finishAndReleaseAll();
  }
}
