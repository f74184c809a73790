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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A running server with an NS answer (82 voters) bigger than the 1232-byte EDNS payload: TC then
 * TCP with dnsjava and dig, both with EDNS; the TCP idle timeout and connection cap on real
 * sockets; and a UDP storm of garbage after which the same client socket is still answered and
 * nothing failed inside the server.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LoopbackLimitsTest {
  private static final int VOTERS = 82;
  private static final Duration IDLE = Duration.ofMillis(300);
  private static final long SEED = Long.getLong("quorumdns.seed", System.nanoTime());
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(VOTERS - 2);
  static DnsServer server;
  static InetSocketAddress at;

  @BeforeAll
  static void start() throws InterruptedException {
    server =
        new DnsServer(
            FX.get().config.withThreads(2), FX.get().registry.view(), new SimpleMeterRegistry());
    server.start();
    at = new InetSocketAddress("127.0.0.1", server.udpAddress().getPort());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.onSpinWait();
    }
  }

  @Test
  void ednsClientsGetTcThenTheWholeAnswerOverTcp() throws IOException {
    double truncated = server.metrics().truncatedCount();
    SimpleResolver r = new SimpleResolver(at);
    r.setEDNS(0, 4096, 0, List.of());
    r.setTimeout(Duration.ofSeconds(5));
    Message m =
        r.send(
            Message.newQuery(
                Record.newRecord(Name.fromConstantString("mesh.internal."), Type.NS, DClass.IN)));
    assertEquals(VOTERS, m.getSection(Section.ANSWER).size(), "dnsjava retried over TCP");
    assertFalse(m.getHeader().getFlag(Flags.TC));
    assertEquals(
        truncated + 1, server.metrics().truncatedCount(), "the UDP answer was truncated first");
  }

  @Test
  void digRetriesOverTcp() throws Exception {
    assertTrue(
        Files.isExecutable(Path.of("/usr/bin/dig")),
        "/usr/bin/dig is missing: .ci/run installs bind9-dnsutils");
    Process p =
        new ProcessBuilder(
                "dig",
                "@127.0.0.1",
                "-p",
                Integer.toString(at.getPort()),
                "+time=3",
                "+tries=1",
                "mesh.internal",
                "NS")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    assertTrue(out.contains("Truncated, retrying in TCP mode"), out);
    assertTrue(out.contains("ANSWER: " + VOTERS + ","), out);
    assertTrue(
        out.contains("flags: qr aa rd;"), "the TCP answer is whole and authoritative:\n" + out);
  }

  @Test
  void idleTcpConnectionsAreClosed() throws Exception {
    DnsServer quick =
        new DnsServer(
            FX.get().config.withTcpLimits(IDLE, 3),
            FX.get().registry.view(),
            new SimpleMeterRegistry());
    quick.start();
    try (Socket s = new Socket("127.0.0.1", quick.tcpAddress().getPort())) {
      s.setSoTimeout(10_000);
      assertEquals(Rcode.NOERROR, tcpAsk(s, 1).getRcode());
      long t0 = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "closed by the server");
      long waited = System.nanoTime() - t0;
      assertTrue(waited >= IDLE.toNanos() / 2, "not before the idle timeout: " + waited + " ns");
    } finally {
      quick.close();
    }
  }

  @Test
  void connectionsOverTheCapAreClosedAndRoomComesBack() throws Exception {
    DnsServer capped =
        new DnsServer(
            FX.get().config.withTcpLimits(Duration.ofSeconds(30), 3),
            FX.get().registry.view(),
            new SimpleMeterRegistry());
    capped.start();
    int port = capped.tcpAddress().getPort();
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket("127.0.0.1", port);
        open.add(s);
        assertEquals(Rcode.NOERROR, tcpAsk(s, 200 + i).getRcode());
      }
      try (Socket over = new Socket("127.0.0.1", port)) {
        over.setSoTimeout(10_000);
        assertEquals(-1, over.getInputStream().read(), "the fourth connection is closed at once");
      }
      open.remove(0).close();
      await("the server saw the close", () -> capped.tcpConnections() == 2);
      try (Socket again = new Socket("127.0.0.1", port)) {
        assertEquals(Rcode.NOERROR, tcpAsk(again, 300).getRcode());
      }
    } finally {
      for (Socket s : open) {
        s.close();
      }
      capped.close();
    }
  }

  @Test
  void aTakenPortFailsTheStartWithTheAddress() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      DnsConfig c = FX.get().config;
      DnsServer clash =
          new DnsServer(
              new DnsConfig(
                  c.bindAddress(),
                  taken.getLocalPort(),
                  c.domain(),
                  c.nodeId(),
                  c.ttlSeconds(),
                  c.negativeTtlSeconds(),
                  c.upstreams(),
                  c.upstreamTimeout(),
                  c.udpPayloadSize(),
                  c.tcpIdleTimeout(),
                  c.maxTcpConnections(),
                  1),
              FX.get().registry.view(),
              new SimpleMeterRegistry());
      try {
        java.io.UncheckedIOException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                java.io.UncheckedIOException.class, clash::start);
        assertTrue(e.getMessage().contains(":" + taken.getLocalPort()), e.getMessage());
      } finally {
        clash.close();
      }
    }
  }

  private static Message tcpAsk(Socket s, int id) throws IOException {
    s.setSoTimeout(5_000);
    byte[] q = DnsFixture.query("web.prod.mesh.internal.", Type.A, id);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeShort(q.length);
    out.write(q);
    out.flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] a = new byte[in.readUnsignedShort()];
    in.readFully(a);
    Message m = new Message(a);
    assertEquals(id, m.getHeader().getID());
    return m;
  }

  @Test
  void aGarbageStormKillsNoWorkerAndFailsNothingInside() throws IOException {
    SplittableRandom r = new SplittableRandom(SEED);
    try (DatagramSocket client = new DatagramSocket()) {
      client.setSoTimeout(5_000);
      for (int i = 0; i < 3000; i++) {
        byte[] p = new byte[r.nextInt(300)];
        for (int k = 0; k < p.length; k++) {
          p[k] = (byte) r.nextInt(256);
        }
        if (p.length > 2) {
          p[2] &= 0x7f; // a query, so that most get an answer or a FORMERR rather than a drop
        }
        client.send(new DatagramPacket(p, p.length, at));
      }
      // The same socket (so the same SO_REUSEPORT channel) gets its answer once the storm is
      // through.
      byte[] q = DnsFixture.query("web.prod.mesh.internal.", Type.A, 4711);
      client.send(new DatagramPacket(q, q.length, at));
      DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
      Message m;
      do {
        try {
          client.receive(in);
        } catch (SocketTimeoutException e) {
          throw new AssertionError("no answer after the storm (seed " + SEED + ")", e);
        }
        m = new Message(java.util.Arrays.copyOf(in.getData(), in.getLength()));
      } while (m.getHeader().getID() != 4711
          || m.getQuestion() == null); // garbage may carry the same id
      assertEquals(Rcode.NOERROR, m.getRcode(), "seed " + SEED);
    }
    assertEquals(0, server.metrics().errorCount(), "internal failures (seed " + SEED + ")");
    assertTrue(server.metrics().malformedCount() > 0, "seed " + SEED);
  }
}
