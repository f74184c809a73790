package dev.quorumdns.chaos.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quorumdns.chaos.history.OpType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/** The DNS client against a loopback UDP responder with one scripted answer per name. */
@Timeout(30)
class DnsjavaClientTest {
  private DatagramSocket socket;
  private java.net.ServerSocket tcpSocket;
  private Thread responder;
  private Thread tcpResponder;
  private DnsjavaClient client;

  @BeforeEach
  void start() throws IOException {
    bindUdpAndTcpOnOnePort();
    responder = new Thread(this::serve, "fake-dns");
    responder.setDaemon(true);
    responder.start();
    tcpResponder = new Thread(this::serveTcp, "fake-dns-tcp");
    tcpResponder.setDaemon(true);
    tcpResponder.start();
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    client = new DnsjavaClient(node -> address, "mesh.internal", Duration.ofMillis(400));
  }

  /**
   * The client asks UDP and TCP on one port, so the responder needs both; the TCP half of a free
   * UDP port can be taken (CI run: "Address already in use"), so another pair is tried then.
   */
  private void bindUdpAndTcpOnOnePort() throws IOException {
    java.net.BindException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      DatagramSocket udp =
          new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try {
        tcpSocket =
            new java.net.ServerSocket(udp.getLocalPort(), 10, InetAddress.getLoopbackAddress());
        socket = udp;
        return;
      } catch (java.net.BindException e) {
        udp.close();
        last = e;
      }
    }
    throw last;
  }

  @AfterEach
  void stop() throws InterruptedException, IOException {
    socket.close();
    tcpSocket.close();
    responder.join(5_000);
    tcpResponder.join(5_000);
  }

  /** Over TCP every name has the full answer 240.0.0.9. */
  private void serveTcp() {
    while (!tcpSocket.isClosed()) {
      try (java.net.Socket s = tcpSocket.accept()) {
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        byte[] body = new byte[in.readUnsignedShort()];
        in.readFully(body);
        Message query = new Message(body);
        Message reply = reply(query);
        reply.addRecord(
            new ARecord(
                query.getQuestion().getName(), DClass.IN, 60, InetAddress.getByName("240.0.0.9")),
            Section.ANSWER);
        byte[] wire = reply.toWire();
        java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
        out.writeShort(wire.length);
        out.write(wire);
        out.flush();
      } catch (IOException e) {
        // closed at the end of the test, or a client gone
      }
    }
  }

  private static Message reply(Message query) {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.AA);
    reply.addRecord(query.getQuestion(), Section.QUESTION);
    return reply;
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        String label = query.getQuestion().getName().getLabelString(0);
        if (label.equals("silent")) {
          continue;
        }
        if (label.equals("stray")) {
          // first a datagram with another id (must be skipped), then the answer
          Message stray = reply(query);
          stray.getHeader().setID((query.getHeader().getID() + 1) & 0xffff);
          byte[] bytes = stray.toWire();
          socket.send(new DatagramPacket(bytes, bytes.length, packet.getSocketAddress()));
        }
        Message reply = reply(query);
        switch (label) {
          case "a" ->
              reply.addRecord(
                  new ARecord(
                      query.getQuestion().getName(),
                      DClass.IN,
                      60,
                      InetAddress.getByName("240.0.0.7")),
                  Section.ANSWER);
          case "broken" -> reply.getHeader().setRcode(Rcode.SERVFAIL);
          case "big" -> reply.getHeader().setFlag(Flags.TC);
          case "stray" ->
              reply.addRecord(
                  new ARecord(
                      query.getQuestion().getName(),
                      DClass.IN,
                      60,
                      InetAddress.getByName("240.0.0.8")),
                  Section.ANSWER);
          case "empty" -> {}
          default -> reply.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        byte[] wire = reply.toWire();
        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (IOException e) {
        if (!socket.isClosed()) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
  }

  @Test
  void addressIsNoerrorWithVip() {
    Outcome outcome = client.resolve("n1", "web/a");
    assertEquals(OpType.OK, outcome.type());
    assertEquals("NOERROR", outcome.result());
    assertEquals("240.0.0.7", outcome.vip());
  }

  @Test
  void nxdomainAndNodataAreAnswers() {
    assertEquals("NXDOMAIN", client.resolve("n1", "web/missing").result());
    Outcome nodata = client.resolve("n1", "web/empty");
    assertEquals(OpType.OK, nodata.type());
    assertNull(nodata.vip());
  }

  @Test
  void servfailAndSilenceAreFailures() {
    Outcome servfail = client.resolve("n1", "web/broken");
    assertEquals(OpType.FAIL, servfail.type());
    assertEquals("SERVFAIL", servfail.result());
    Outcome silent = client.resolve("n1", "web/silent");
    assertEquals(OpType.FAIL, silent.type());
    assertEquals("timeout", silent.result());
  }

  @Test
  void truncatedAnswerIsAskedAgainOverTcp() {
    Outcome outcome = client.resolve("n1", "web/big");
    assertEquals(OpType.OK, outcome.type());
    assertEquals("240.0.0.9", outcome.vip());
  }

  @Test
  void datagramWithAnotherIdIsSkipped() {
    assertEquals("240.0.0.8", client.resolve("n1", "web/stray").vip());
  }

  @Test
  void nobodyListeningIsUnreachableOrTimeout() throws IOException {
    int port;
    try (DatagramSocket free =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      port = free.getLocalPort();
    }
    InetSocketAddress closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    Outcome outcome =
        new DnsjavaClient(node -> closed, "mesh.internal", Duration.ofMillis(300))
            .resolve("n1", "web/a");
    assertEquals(OpType.FAIL, outcome.type());
    org.junit.jupiter.api.Assertions.assertTrue(
        outcome.result().equals("unreachable") || outcome.result().equals("timeout"),
        outcome.result());
  }
}
