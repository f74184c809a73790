package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.HostilePackets.Case;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The packets of {@link HostilePackets} sent to a running server over real loopback sockets: each
 * case is followed by an ordinary query (the sentinel), and what arrives before the sentinel's
 * answer must be exactly the case's expected answer, or nothing. Over UDP from one socket (so one
 * SO_REUSEPORT worker takes them all) and over one TCP connection, which also carries the 64 KiB
 * EDNS cases.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostileInputLoopbackTest {
  private static final int SENTINEL = 0xfeed;
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);
  static DnsServer server;

  @BeforeAll
  static void start() throws InterruptedException {
    server =
        new DnsServer(
            FX.get().config.withThreads(2), FX.get().registry.view(), new SimpleMeterRegistry());
    server.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static byte[] sentinel() {
    return DnsFixture.query("web.prod.mesh.internal.", Type.A, SENTINEL);
  }

  private static boolean isSentinel(byte[] answer) {
    return answer.length >= 2 && ((answer[0] & 0xff) << 8 | (answer[1] & 0xff)) == SENTINEL;
  }

  @Test
  void overUdpEveryCaseIsAnsweredAsWrittenAndTheWorkerLives() throws IOException {
    double malformed = server.metrics().malformedCount();
    int dropped = 0;
    try (DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      c.setSoTimeout(5_000);
      InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.udpAddress().getPort());
      for (Case k : HostilePackets.all()) {
        if (k.tcpOnly()) {
          continue;
        }
        dropped += k.expected() == HostilePackets.DROPPED ? 1 : 0;
        c.send(new DatagramPacket(k.packet(), k.packet().length, at));
        byte[] s = sentinel();
        c.send(new DatagramPacket(s, s.length, at));
        byte[] first = receive(c);
        if (k.expected() == HostilePackets.DROPPED) {
          assertTrue(isSentinel(first), "nothing before the sentinel's answer: " + k);
        } else {
          HostileInputTest.check(k, first, "over UDP");
          assertTrue(isSentinel(receive(c)), "then the sentinel's answer: " + k);
        }
      }
    }
    assertTrue(
        server.metrics().malformedCount() - malformed >= dropped,
        "dropped packets counted as malformed");
    assertEquals(0, server.metrics().errorCount());
  }

  private static byte[] read(DataInputStream in) throws IOException {
    byte[] a = new byte[in.readUnsignedShort()];
    in.readFully(a);
    return a;
  }

  private static byte[] receive(DatagramSocket c) throws IOException {
    DatagramPacket in = new DatagramPacket(new byte[65536], 65536);
    c.receive(in);
    return Arrays.copyOf(in.getData(), in.getLength());
  }

  @Test
  void overOneTcpConnectionEveryCaseIsAnsweredAsWritten() throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.tcpAddress().getPort())) {
      s.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (Case k : HostilePackets.all()) {
        out.writeShort(k.packet().length);
        out.write(k.packet());
        out.writeShort(sentinel().length);
        out.write(sentinel());
        out.flush();
        byte[] first = read(in);
        if (k.expected() == HostilePackets.DROPPED) {
          assertTrue(isSentinel(first), "nothing before the sentinel's answer: " + k);
        } else {
          HostileInputTest.check(k, first, "over TCP");
          assertTrue(isSentinel(read(in)), "then the sentinel's answer: " + k);
        }
      }
    }
    assertEquals(0, server.metrics().errorCount());
  }

  /**
   * Datagrams are read into 2048-byte buffers: a longer query arrives cut, so it cannot parse
   * (epoll: FORMERR).
   */
  @Test
  void aDatagramLargerThanTheReceiveBufferGetsFormerrOrNothing() throws IOException {
    byte[] big =
        HostilePackets.query(
            0x0901,
            1,
            1,
            0,
            0,
            1,
            HostilePackets.cat(
                HostilePackets.question(HostilePackets.name("web", "prod"), Type.A, 1),
                HostilePackets.opt(HostilePackets.options(1, 3000))));
    try (DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      c.setSoTimeout(5_000);
      InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.udpAddress().getPort());
      c.send(new DatagramPacket(big, big.length, at));
      byte[] s = sentinel();
      c.send(new DatagramPacket(s, s.length, at));
      byte[] first = receive(c);
      if (!isSentinel(first)) {
        assertEquals(Rcode.FORMERR, new Message(first).getRcode());
        assertTrue(isSentinel(receive(c)));
      }
    }
  }
}
