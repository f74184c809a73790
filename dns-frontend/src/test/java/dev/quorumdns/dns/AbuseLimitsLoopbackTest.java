package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The abuse limits on a running server over real loopback sockets: rate limiting of one UDP client
 * (answers, TC slips, drops) and loopback's default exemption; the per-client TCP connection cap,
 * by source address (127.0.0.1 and 127.0.0.2); and forwarding only for clients in {@code
 * upstream-allow}, against a fake upstream.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AbuseLimitsLoopbackTest {
  private static final InetAddress ONE = loopback(1);
  private static final InetAddress TWO = loopback(2);
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);

  private static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.onSpinWait();
    }
  }

  private static DnsServer start(DnsConfig config, java.util.function.LongSupplier clock)
      throws InterruptedException {
    DnsServer s =
        new DnsServer(
            config.withThreads(2), FX.get().registry.view(), new SimpleMeterRegistry(), clock);
    s.start();
    return s;
  }

  private static Message receive(DatagramSocket s) throws IOException {
    DatagramPacket in = new DatagramPacket(new byte[4096], 4096);
    s.receive(in);
    return new Message(Arrays.copyOf(in.getData(), in.getLength()));
  }

  @Test
  void aUdpFloodIsLimitedWithSlipsAndLoopbackIsExemptByDefault() throws Exception {
    long frozen = TimeUnit.HOURS.toNanos(3); // no refill while the test runs
    AbuseLimits strict = AbuseLimits.defaults().withRrl(3, 2, AddressRanges.none());
    DnsServer s = start(FX.get().config.withLimits(strict), () -> frozen);
    try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(ONE, 0))) {
      c.setSoTimeout(5_000);
      InetSocketAddress at = new InetSocketAddress(ONE, s.udpAddress().getPort());
      for (int i = 0; i < 8; i++) {
        byte[] q = DnsFixture.query("web.prod.mesh.internal.", Type.A, 10 + i);
        c.send(new DatagramPacket(q, q.length, at));
      }
      int whole = 0;
      int slips = 0;
      for (int i = 0; i < 6; i++) {
        Message m = receive(c);
        if (m.getHeader().getFlag(Flags.TC)) {
          slips++;
          assertEquals(0, m.getSection(Section.ANSWER).size());
        } else {
          whole++;
          assertEquals(Rcode.NOERROR, m.getRcode());
        }
      }
      assertEquals(3, whole, "the rate");
      assertEquals(3, slips, "every other limited answer slips");
      await("two answers dropped", () -> s.metrics().rrlDroppedCount() == 2);
      assertEquals(3, s.metrics().rrlSlippedCount());
    } finally {
      s.close();
    }
    DnsServer exempt =
        start(
            FX.get()
                .config
                .withLimits(
                    AbuseLimits.defaults().withRrl(3, 2, AbuseLimits.defaults().rrlExempt())),
            () -> frozen);
    try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(ONE, 0))) {
      c.setSoTimeout(5_000);
      InetSocketAddress at = new InetSocketAddress(ONE, exempt.udpAddress().getPort());
      for (int i = 0; i < 50; i++) {
        byte[] q = DnsFixture.query("web.prod.mesh.internal.", Type.A, i);
        c.send(new DatagramPacket(q, q.length, at));
        Message m = receive(c);
        assertEquals(i, m.getHeader().getID());
        assertFalse(m.getHeader().getFlag(Flags.TC), "loopback is exempt by default");
      }
      assertEquals(0, exempt.metrics().rrlDroppedCount() + exempt.metrics().rrlSlippedCount());
    } finally {
      exempt.close();
    }
  }

  private static Socket connect(InetAddress from, DnsServer s) throws IOException {
    Socket c = new Socket();
    c.bind(new InetSocketAddress(from, 0));
    c.connect(new InetSocketAddress(ONE, s.tcpAddress().getPort()), 5_000);
    c.setSoTimeout(5_000);
    return c;
  }

  private static Message tcpAsk(Socket s, String name, int id) throws IOException {
    byte[] q = DnsFixture.query(name, Type.A, id);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeShort(q.length);
    out.write(q);
    out.flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] a = new byte[in.readUnsignedShort()];
    in.readFully(a);
    return new Message(a);
  }

  private static boolean closedByServer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Test
  void oneClientCannotHoldMoreThanItsShareOfTcpConnections() throws Exception {
    DnsServer s =
        start(
            FX.get().config.withLimits(AbuseLimits.defaults().withTcpPerClient(2)),
            System::nanoTime);
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        open.add(connect(ONE, s));
        assertEquals(Rcode.NOERROR, tcpAsk(open.get(i), "web.prod.mesh.internal.", i).getRcode());
      }
      try (Socket third = connect(ONE, s)) {
        assertTrue(closedByServer(third), "the third connection from 127.0.0.1 is closed at once");
      }
      assertEquals(1, s.metrics().tcpRejectedPerClientCount());
      try (Socket other = connect(TWO, s)) {
        assertEquals(
            Rcode.NOERROR,
            tcpAsk(other, "web.prod.mesh.internal.", 7).getRcode(),
            "another client address still gets in");
      }
      open.remove(0).close();
      await("the server saw the close", () -> s.tcpConnections(ONE) == 1);
      open.add(connect(ONE, s));
      assertEquals(
          Rcode.NOERROR,
          tcpAsk(open.get(1), "web.prod.mesh.internal.", 9).getRcode(),
          "room again");
      await("only open connections are counted", () -> s.tcpConnections(TWO) == 0);
    } finally {
      for (Socket c : open) {
        c.close();
      }
      s.close();
    }
  }

  private static Message udpAsk(InetAddress from, DnsServer s, String name) throws IOException {
    try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(from, 0))) {
      c.setSoTimeout(5_000);
      byte[] q = DnsFixture.query(name, Type.A, 33);
      c.send(new DatagramPacket(q, q.length, new InetSocketAddress(ONE, s.udpAddress().getPort())));
      return receive(c);
    }
  }

  @Test
  void onlyAllowedClientsHaveQuestionsForwarded() throws Exception {
    try (FakeUpstream up = new FakeUpstream(ONE)) {
      DnsConfig base = FX.get().config.withUpstreams(List.of(up.address()));
      DnsServer s =
          start(
              base.withLimits(
                  AbuseLimits.defaults()
                      .withUpstreamAllow(AddressRanges.parse("upstream-allow", "127.0.0.1/32"))),
              System::nanoTime);
      try {
        for (int round = 0;
            round < 2;
            round++) { // the second round would meet anything wrongly cached
          Message refused = udpAsk(TWO, s, "www.example.com.");
          assertEquals(Rcode.REFUSED, refused.getRcode(), "127.0.0.2 is outside upstream-allow");
          assertFalse(refused.getHeader().getFlag(Flags.RA), "no recursion offered");
          assertEquals(0, refused.getSection(Section.ANSWER).size());
          Message forwarded = udpAsk(ONE, s, "www.example.com.");
          assertEquals(Rcode.NOERROR, forwarded.getRcode());
          assertTrue(forwarded.getHeader().getFlag(Flags.RA));
          assertEquals("192.0.2.1", forwarded.getSection(Section.ANSWER).get(0).rdataToString());
        }
        try (Socket tcp = connect(TWO, s)) {
          assertEquals(
              Rcode.REFUSED, tcpAsk(tcp, "www.example.com.", 5).getRcode(), "over TCP as well");
        }
        assertEquals(
            Rcode.NOERROR,
            udpAsk(TWO, s, "web.prod.mesh.internal.").getRcode(),
            "our zone for all");
        assertEquals(2, up.asked.get(), "the upstream saw only the allowed client's questions");
        assertEquals(3, s.metrics().forwardRefusedCount());
      } finally {
        s.close();
      }
      DnsServer byDefault = start(base, System::nanoTime);
      try {
        assertEquals(
            Rcode.NOERROR,
            udpAsk(TWO, byDefault, "www.example.com.").getRcode(),
            "loopback is allowed by default");
      } finally {
        byDefault.close();
      }
      DnsServer nobody =
          start(
              base.withLimits(AbuseLimits.defaults().withUpstreamAllow(AddressRanges.none())),
              System::nanoTime);
      try {
        assertEquals(
            Rcode.REFUSED,
            udpAsk(ONE, nobody, "www.example.com.").getRcode(),
            "upstream-allow none");
      } finally {
        nobody.close();
      }
    }
  }
}
