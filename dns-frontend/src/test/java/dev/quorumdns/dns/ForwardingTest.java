package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Names outside the zones: REFUSED by default; forwarded (RA set) with upstreams; SERVFAIL when
 * they fail.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ForwardingTest {
  @TempDir Path dir;

  private static Message ask(DnsServer s, String name) throws Exception {
    return new Message(askRaw(s, name));
  }

  private static byte[] askRaw(DnsServer s, String name) throws Exception {
    try (DatagramSocket c = new DatagramSocket()) {
      c.setSoTimeout(5000);
      byte[] q = DnsFixture.query(name, Type.A, 9);
      c.send(
          new DatagramPacket(
              q, q.length, new InetSocketAddress("127.0.0.1", s.udpAddress().getPort())));
      DatagramPacket in = new DatagramPacket(new byte[4096], 4096);
      c.receive(in);
      return java.util.Arrays.copyOf(in.getData(), in.getLength());
    }
  }

  @Test
  void outsideTheZonesIsRefusedUnlessForwarded() throws Exception {
    try (DnsFixture fx = new DnsFixture(dir, 0);
        FakeUpstream up = new FakeUpstream(InetAddress.getLoopbackAddress())) {
      DnsServer closed = new DnsServer(fx.config, fx.registry.view(), new SimpleMeterRegistry());
      DnsServer open =
          new DnsServer(
              fx.config.withUpstreams(List.of(up.address())),
              fx.registry.view(),
              new SimpleMeterRegistry());
      closed.start();
      open.start();
      try {
        Message refused = ask(closed, "www.example.com.");
        assertEquals(Rcode.REFUSED, refused.getRcode());
        assertFalse(refused.getHeader().getFlag(Flags.RA));
        Message forwarded = ask(open, "WWW.example.com.");
        assertEquals(Rcode.NOERROR, forwarded.getRcode());
        assertTrue(forwarded.getHeader().getFlag(Flags.RA), "RA set on forwarded answers");
        assertFalse(forwarded.getHeader().getFlag(Flags.AA));
        assertEquals("192.0.2.1", forwarded.getSection(Section.ANSWER).get(0).rdataToString());
        assertEquals("WWW.example.com.", forwarded.getQuestion().getName().toString());
        assertEquals(
            Rcode.NOERROR,
            ask(open, "web.prod.mesh.internal.").getRcode(),
            "our zone is never forwarded");
      } finally {
        closed.close();
        open.close();
      }
    }
  }

  @Test
  void aSilentUpstreamGivesServfailWithinTheTimeout() throws Exception {
    try (DnsFixture fx = new DnsFixture(dir, 0);
        DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      DnsConfig c =
          fx.config.withUpstreams(List.of((InetSocketAddress) silent.getLocalSocketAddress()));
      DnsConfig quick =
          new DnsConfig(
              c.bindAddress(),
              0,
              c.domain(),
              c.nodeId(),
              c.ttlSeconds(),
              c.negativeTtlSeconds(),
              c.upstreams(),
              Duration.ofMillis(300),
              c.udpPayloadSize(),
              c.tcpIdleTimeout(),
              c.maxTcpConnections(),
              1);
      DnsServer s = new DnsServer(quick, fx.registry.view(), new SimpleMeterRegistry());
      s.start();
      try {
        long t0 = System.nanoTime();
        Message m = ask(s, "www.example.com.");
        assertEquals(Rcode.SERVFAIL, m.getRcode());
        assertTrue(m.getHeader().getFlag(Flags.RA));
        assertTrue(
            System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "answered within the timeout");
      } finally {
        s.close();
      }
    }
  }
}
