package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.IpAddresses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A running DnsServer on loopback, asked by real clients: dnsjava over UDP and TCP, raw sockets,
 * and dig.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LoopbackServerTest {
  @RegisterExtension
  static final DnsFixture.PerClass FX =
      new DnsFixture.PerClass(40); // 42 voters: an NS answer too big for 512 bytes

  static DnsServer server;
  static int port;

  @BeforeAll
  static void start() throws InterruptedException {
    server =
        new DnsServer(
            FX.get().config.withThreads(2), FX.get().registry.view(), new SimpleMeterRegistry());
    server.start();
    port = server.udpAddress().getPort();
    assertEquals(port, server.tcpAddress().getPort(), "UDP and TCP share the port");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static SimpleResolver resolver(boolean tcp) {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(3));
    return r;
  }

  static Message q(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  @Test
  void udpAndTcpAnswerTheSame() throws IOException {
    Message udp = resolver(false).send(q("web.prod.mesh.internal.", Type.A));
    Message tcp = resolver(true).send(q("web.prod.mesh.internal.", Type.A));
    assertEquals(
        IpAddresses.format(FX.get().web.vip4()),
        udp.getSection(Section.ANSWER).get(0).rdataToString());
    assertEquals(DnsFixture.lines(udp, Section.ANSWER), DnsFixture.lines(tcp, Section.ANSWER));
    assertTrue(udp.getHeader().getFlag(Flags.AA));
  }

  @Test
  void ednsIsEchoedAndNsidIsTheNodeId() throws IOException {
    SimpleResolver r = resolver(false);
    r.setEDNS(0, 4096, 0, List.of(new NSIDOption(new byte[0])));
    Message m = r.send(q("web.prod.mesh.internal.", Type.A));
    OPTRecord opt = m.getOPT();
    assertEquals(FX.get().config.udpPayloadSize(), opt.getPayloadSize());
    List<EDNSOption> nsid = opt.getOptions(EDNSOption.Code.NSID);
    assertEquals(1, nsid.size());
    byte[] option = nsid.get(0).toWire(); // code, length, data
    assertEquals(
        FX.get().config.nodeId(),
        new String(option, 4, option.length - 4, StandardCharsets.US_ASCII));
    Message v1 = q("web.prod.mesh.internal.", Type.A);
    v1.addRecord(new OPTRecord(4096, 0, 1), Section.ADDITIONAL);
    byte[] wire = udp(v1.toWire());
    assertEquals(Rcode.BADVERS, new Message(wire).getRcode(), "EDNS version 1 -> BADVERS");
  }

  static byte[] udp(byte[] query) throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(3000);
      s.send(new DatagramPacket(query, query.length, new InetSocketAddress("127.0.0.1", port)));
      DatagramPacket in = new DatagramPacket(new byte[65535], 65535);
      s.receive(in);
      return java.util.Arrays.copyOf(in.getData(), in.getLength());
    }
  }

  @Test
  void aBigAnswerIsTruncatedByWholeRrsetsThenServedWholeOverTcp() throws IOException {
    Message query = q("mesh.internal.", Type.NS);
    byte[] wire = query.toWire();
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(3000);
      s.send(new DatagramPacket(wire, wire.length, new InetSocketAddress("127.0.0.1", port)));
      DatagramPacket in = new DatagramPacket(new byte[4096], 4096);
      s.receive(in);
      assertTrue(in.getLength() <= 512, "no EDNS: at most 512 bytes, got " + in.getLength());
      Message m = new Message(java.util.Arrays.copyOf(in.getData(), in.getLength()));
      assertTrue(m.getHeader().getFlag(Flags.TC), "TC set");
      int n = m.getSection(Section.ANSWER).size();
      assertTrue(n == 0 || n == 42, "whole RRsets only, got " + n + " NS records");
    }
    Message full = resolver(false).send(query); // dnsjava retries over TCP on TC
    assertEquals(42, full.getSection(Section.ANSWER).size());
    assertTrue(!full.getHeader().getFlag(Flags.TC));
  }

  @Test
  void severalQueriesOnOneTcpConnection() throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      String[] names = {
        "web.prod.mesh.internal.", "db.prod.mesh.internal.", "nope.prod.mesh.internal."
      };
      for (int i = 0; i < names.length; i++) {
        byte[] b = DnsFixture.query(names[i], Type.A, 100 + i);
        out.writeShort(b.length);
        out.write(b);
      }
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (int i = 0; i < names.length; i++) {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        Message m = new Message(b);
        assertEquals(100 + i, m.getHeader().getID());
        assertEquals(i == 2 ? Rcode.NXDOMAIN : Rcode.NOERROR, m.getRcode());
      }
    }
  }

  private static String dig(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+time=3", "+tries=1"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    return out;
  }

  @Test
  void digAgrees() throws Exception {
    assertTrue(
        Files.isExecutable(Path.of("/usr/bin/dig")),
        "/usr/bin/dig is missing: .ci/run installs bind9-dnsutils");
    String vip = IpAddresses.format(FX.get().web.vip4());
    assertEquals(vip, dig("web.prod.mesh.internal", "+short").trim());
    assertEquals(vip, dig("web.prod.mesh.internal", "+short", "+tcp").trim());
    assertTrue(
        dig("web.prod.mesh.internal", "+nsid").contains("NSID: 6e 31 (\"n1\")"),
        "dig sees the NSID");
    assertTrue(dig("nope.prod.mesh.internal").contains("status: NXDOMAIN"));
    String srv = dig("_http._tcp.web.prod.mesh.internal", "SRV", "+short").trim();
    assertEquals("0 100 80 web.prod.mesh.internal.", srv);
    assertTrue(dig("-x", vip, "+short").contains("web.prod.mesh.internal."));
    assertTrue(
        dig("mesh.internal", "NS", "+ignore", "+noedns").contains("flags: qr aa tc"),
        "truncated over UDP without EDNS");
  }
}
