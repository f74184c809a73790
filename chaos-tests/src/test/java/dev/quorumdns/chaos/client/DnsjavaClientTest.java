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
  private Thread responder;
  private DnsjavaClient client;

  @BeforeEach
  void start() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    responder = new Thread(this::serve, "fake-dns");
    responder.setDaemon(true);
    responder.start();
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    client = new DnsjavaClient(node -> address, "mesh.internal", Duration.ofMillis(400));
  }

  @AfterEach
  void stop() throws InterruptedException {
    socket.close();
    responder.join(5_000);
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
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.AA);
        reply.addRecord(query.getQuestion(), Section.QUESTION);
        switch (label) {
          case "a" -> reply.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60,
              InetAddress.getByName("240.0.0.7")), Section.ANSWER);
          case "broken" -> reply.getHeader().setRcode(Rcode.SERVFAIL);
          case "empty" -> { }
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
}
