package dev.quorumdns.dns;

import static dev.quorumdns.dns.TransferHelpers.KEY;
import static dev.quorumdns.dns.TransferHelpers.ZONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.transfer.TransferMetrics.Result;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferIn;

/**
 * Transfers from a running server over real TCP on loopback, read by dnsjava's own transfer client
 * ({@link ZoneTransferIn}, which checks the framing and every TSIG), and by a client that stops
 * reading: the transfer waits for it without holding up anyone else, and still counts against the
 * per-client TCP cap.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TransferLoopbackTest {
  /**
   * Services of 64 named ports with long names: each puts 66 records and about 4 KiB into the zone,
   * so the zone (about 6 MiB) is more than a loopback connection's kernel buffers hold (up to 4 MiB
   * sent, plus what the receiver takes), and a client that stops reading really holds the transfer
   * up.
   */
  private static final int SERVICES = 1500;

  private static final int PORTS = 64;
  private static final int RECORDS = 2 + 3 + 3 + 4 + 3 + SERVICES * (2 + PORTS);

  @TempDir Path dir;
  private DnsFixture fx;
  private DnsServer server;
  private InetSocketAddress at;

  @BeforeEach
  void setUp() throws InterruptedException {
    fx = new DnsFixture(dir, 0);
    List<ServicePort> ports = new ArrayList<>();
    for (int p = 0; p < PORTS; p++) {
      ports.add(
          new ServicePort(
              "port-number-" + p + "-with-a-long-name-for-a-big-zone", Protocol.TCP, 1000 + p));
    }
    ServiceSpec big = new ServiceSpec(ports, List.of(), Map.of(), null, null);
    List<Command> batch = new ArrayList<>();
    for (int i = 0; i < SERVICES; i++) {
      batch.add(new Command.UpsertService(new ServiceKey("bulk", "svc-" + i), big));
      if (batch.size() == 100) {
        TestRegistries.apply(fx.registry, new Command.Batch(batch));
        batch.clear();
      }
    }
    DnsConfig config =
        fx.config
            .withLimits(fx.config.limits().withTcpPerClient(2))
            .withTransfers(TransferHelpers.config(KEY, true, 10));
    server =
        new DnsServer(config, fx.registry.view(), fx.registry::snapshot, new SimpleMeterRegistry());
    server.start();
    at = new InetSocketAddress("127.0.0.1", server.tcpAddress().getPort());
  }

  @AfterEach
  void tearDown() {
    server.close();
    fx.close();
  }

  private static TSIG key() {
    return KEY.tsig(Clock.systemUTC());
  }

  @Test
  void dnsjavaTransfersTheZoneAndThenItsDifference() throws Exception {
    long serial = fx.registry.view().revision();
    ZoneTransferIn axfr = ZoneTransferIn.newAXFR(ZONE, at, key());
    axfr.setTimeout(Duration.ofSeconds(60));
    axfr.run();
    assertTrue(axfr.isAXFR());
    // SOA + 3 NS + 3 nodes + web (4) + db (3) + the bulk services (A, AAAA, SRVs) + SOA; dnsjava
    // keeps both SOAs.
    assertEquals(RECORDS, axfr.getAXFR().size());

    TestRegistries.deregister(fx.registry, "bulk", "svc-7");
    TestRegistries.register(fx.registry, "late", "one", ServiceSpec.ofPorts());
    ZoneTransferIn ixfr = ZoneTransferIn.newIXFR(ZONE, serial, false, at, key());
    ixfr.run();
    assertTrue(ixfr.isIXFR(), "a difference, not the whole zone");
    List<ZoneTransferIn.Delta> deltas = ixfr.getIXFR();
    assertEquals(1, deltas.size(), "condensed into one");
    assertEquals(serial, deltas.get(0).start);
    assertEquals(fx.registry.view().revision(), deltas.get(0).end);
    assertEquals(1 + 2 + PORTS, deltas.get(0).deletes.size(), "old SOA + svc-7's A, AAAA and SRVs");
    assertEquals(3, deltas.get(0).adds.size(), "new SOA + late/one's A and AAAA");

    ZoneTransferIn current =
        ZoneTransferIn.newIXFR(ZONE, fx.registry.view().revision(), false, at, key());
    current.run();
    assertTrue(current.isCurrent());
  }

  @Test
  void aClientThatStopsReadingHoldsUpNobodyAndCountsAgainstItsCap() throws Exception {
    double before = server.transfers().metrics().transfers("axfr", Result.FULL);
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(
          4096); // a small window, so the zone cannot hide in the kernel's buffers
      stalled.connect(at);
      send(stalled, axfrQuery(1));
      await("the transfer is under way", () -> server.tcpConnections(at.getAddress()) == 1);
      // While it waits for the stalled client, queries are answered at once, over UDP and TCP.
      SimpleResolver r = new SimpleResolver(at);
      r.setTimeout(Duration.ofSeconds(2));
      Message a =
          r.send(
              Message.newQuery(
                  Record.newRecord(
                      TransferHelpers.name("web.prod.mesh.internal."), Type.A, DClass.IN)));
      assertEquals(Rcode.NOERROR, a.getRcode());
      try (Socket second = new Socket(at.getAddress(), at.getPort())) {
        second.setSoTimeout(10_000);
        send(second, DnsFixture.query("web.prod.mesh.internal.", Type.A, 2));
        assertEquals(Rcode.NOERROR, read(second).getRcode());
        try (Socket third = new Socket(at.getAddress(), at.getPort())) {
          third.setSoTimeout(10_000);
          assertEquals(
              -1,
              third.getInputStream().read(),
              "a third connection from the client is closed at once");
        }
      }
      // The same transfer to a client that reads, started later: once it is done, the stalled one
      // would be too
      // if it were not waiting for its client to read.
      ZoneTransferIn reader = ZoneTransferIn.newAXFR(ZONE, at, key());
      reader.setLocalAddress(new InetSocketAddress("127.0.0.2", 0));
      reader.setTimeout(Duration.ofSeconds(60));
      reader.run();
      // Counted once its last message is written, which may be a moment after the client has read
      // it.
      await(
          "the reading client's transfer is counted",
          () -> server.transfers().metrics().transfers("axfr", Result.FULL) >= before + 1);
      assertEquals(
          before + 1,
          server.transfers().metrics().transfers("axfr", Result.FULL),
          "the stalled transfer waits for its client, holding no more than a connection's write buffer");
      assertEquals(1, server.transfers().running());
    }
    // The stalled client goes away: its transfer ends, and gives its place back.
    await("the stalled transfer is cut short", () -> server.transfers().running() == 0);
    assertEquals(1, server.transfers().metrics().transfers("axfr", Result.ABORTED));
    assertFalse(server.metrics().errorCount() > 0);
  }

  @Test
  void aQuerySentBehindATransferIsAnsweredAfterIt() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      send(s, axfrQuery(1));
      send(s, DnsFixture.query("web.prod.mesh.internal.", Type.A, 77));
      DataInputStream in = new DataInputStream(s.getInputStream());
      int soas = 0;
      while (soas < 2) {
        byte[] m = new byte[in.readUnsignedShort()];
        in.readFully(m);
        Message msg = new Message(m);
        assertEquals(1, msg.getHeader().getID(), "nothing else inside the transfer");
        for (Record rec : msg.getSection(Section.ANSWER)) {
          soas += rec.getType() == Type.SOA ? 1 : 0;
        }
      }
      Message after = read(s);
      assertEquals(77, after.getHeader().getID());
      assertEquals(Rcode.NOERROR, after.getRcode());
    }
  }

  private static byte[] axfrQuery(int id) {
    Message q = TransferHelpers.axfr(ZONE, id);
    return TransferHelpers.wire(q, key());
  }

  private static void send(Socket s, byte[] q) throws IOException {
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeShort(q.length);
    out.write(q);
    out.flush();
  }

  private static Message read(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] a = new byte[in.readUnsignedShort()];
    in.readFully(a);
    return new Message(a);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.onSpinWait();
    }
  }
}
