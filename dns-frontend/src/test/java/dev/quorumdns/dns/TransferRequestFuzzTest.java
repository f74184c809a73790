package dev.quorumdns.dns;

import static dev.quorumdns.dns.TransferHelpers.KEY;
import static dev.quorumdns.dns.TransferHelpers.SECONDARY;
import static dev.quorumdns.dns.TransferHelpers.STRANGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.dns.wire.QueryHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * Fuzz target for the zone transfer request path, TSIG included (docs/security/fuzzing.md): raw
 * bytes into a {@link QueryHandler} with transfers on (addresses 127.0.0.0/8, one TSIG key,
 * optional), over TCP from an allowed and from another address, and over UDP. TSIG time is a fixed
 * clock, so signed seeds stay valid. Properties: no internal failure and nothing escapes; no
 * transfer left holding a place after its answer; every message parses, echoes the id, has QR set
 * and fits 64 KiB; a NOERROR transfer starts with the zone's SOA (and an AXFR ends with it); an
 * answer with a TSIG error carries BADKEY, BADSIG or BADTIME; every signed NOERROR answer verifies
 * with the key as a stream; the same bytes asked again get the same answer. Seeds: hand-made
 * requests under {@code TransferRequestFuzzTestInputs/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferRequestFuzzTest {
  private static final int HEADER = 12;
  private static final String SEEDS = "TransferRequestFuzzTestInputs/answerTransferRequest/";

  private DnsFixture fixture;
  private DnsMetrics metrics;
  private ZoneTransfers transfers;
  private QueryHandler handler;

  @BeforeAll
  void open(@TempDir Path dir) {
    fixture = new DnsFixture(dir, 0);
    DnsConfig config = fixture.config.withTransfers(TransferHelpers.config(KEY, false, 4));
    metrics = new DnsMetrics(new SimpleMeterRegistry());
    transfers = TransferHelpers.transfers(config, fixture.registry, new SimpleMeterRegistry());
    handler = new QueryHandler(new Resolver(config, fixture.registry.view()), metrics, transfers);
  }

  @AfterAll
  void close() {
    transfers.close();
    fixture.close();
  }

  /**
   * The signed seeds verify at the fixed clock, so the fuzzer starts from the verified path too.
   */
  @Test
  void signedSeedsAreTransfersTheKeyVerifies() throws IOException {
    for (String seed : List.of("axfr-signed", "ixfr-signed")) {
      try (InputStream in = getClass().getResourceAsStream(SEEDS + seed)) {
        assertNotNull(in, SEEDS + seed);
        byte[] q = in.readAllBytes();
        List<byte[]> answer = TransferHelpers.ask(handler, q, Transport.TCP, SECONDARY);
        Message first = new Message(answer.get(0));
        assertEquals(Rcode.NOERROR, first.getRcode(), seed);
        assertNotNull(first.getTSIG(), seed + " answered signed");
        verifyStream(q, answer, seed);
      }
    }
  }

  @FuzzTest(maxDuration = "5m")
  void answerTransferRequest(byte[] packet) {
    check(packet, Transport.TCP, SECONDARY);
    check(packet, Transport.TCP, STRANGER);
    check(packet, Transport.UDP, SECONDARY);
  }

  private void check(byte[] packet, Transport transport, InetAddress client) {
    String what =
        HexFormat.of().formatHex(packet)
            + " over "
            + transport
            + " from "
            + client.getHostAddress();
    List<byte[]> answer = TransferHelpers.ask(handler, packet.clone(), transport, client);
    assertEquals(0, metrics.errorCount(), "no internal failure on " + what);
    assertEquals(0, transfers.running(), "no transfer left running after " + what);
    if (answer.isEmpty()) {
      assertTrue(
          packet.length < HEADER || (packet[2] & 0x80) != 0,
          "only headerless packets and responses are " + "dropped: " + what);
      return;
    }
    List<Message> messages = new ArrayList<>();
    for (byte[] m : answer) {
      assertTrue(m.length <= 65535, m.length + " bytes: " + what);
      Message parsed;
      try {
        parsed = new Message(m);
      } catch (IOException e) {
        throw new AssertionError(
            "unparseable answer " + HexFormat.of().formatHex(m) + " to " + what, e);
      }
      assertEquals(
          ((packet[0] & 0xff) << 8) | (packet[1] & 0xff),
          parsed.getHeader().getID(),
          "id: " + what);
      assertTrue((m[2] & 0x80) != 0, "QR set: " + what);
      messages.add(parsed);
    }
    Message first = messages.get(0);
    TSIGRecord tsig = first.getTSIG();
    if (tsig != null && tsig.getError() != Rcode.NOERROR) {
      assertEquals(Rcode.NOTAUTH, first.getRcode(), what);
      assertTrue(
          List.of(Rcode.BADKEY, Rcode.BADSIG, Rcode.BADTIME).contains(tsig.getError()), what);
    }
    Record q = first.getQuestion();
    boolean transfer = q != null && (q.getType() == Type.AXFR || q.getType() == Type.IXFR);
    if (transfer && first.getRcode() == Rcode.NOERROR) {
      List<Record> records = new ArrayList<>();
      messages.forEach(m -> records.addAll(m.getSection(Section.ANSWER)));
      assertEquals(Type.SOA, records.get(0).getType(), "starts with the SOA: " + what);
      if (q.getType() == Type.AXFR) {
        assertEquals(
            records.get(0), records.get(records.size() - 1), "ends with the same SOA: " + what);
      }
      if (tsig != null) {
        verifyStream(packet, answer, what);
      }
    }
    List<byte[]> again = TransferHelpers.ask(handler, packet.clone(), transport, client);
    assertEquals(answer.size(), again.size(), "the same number of messages again: " + what);
    for (int i = 0; i < answer.size(); i++) {
      assertEquals(
          HexFormat.of().formatHex(answer.get(i)),
          HexFormat.of().formatHex(again.get(i)),
          "message " + i + " the same again: " + what);
    }
  }

  private static void verifyStream(byte[] query, List<byte[]> answer, String what) {
    TSIG key = TransferHelpers.tsig(KEY);
    TSIG.StreamVerifier verifier =
        new TSIG.StreamVerifier(key, TransferHelpers.parse(query).getTSIG());
    for (int i = 0; i < answer.size(); i++) {
      int rc =
          verifier.verify(
              TransferHelpers.parse(answer.get(i)), answer.get(i), i == answer.size() - 1);
      assertEquals(
          Rcode.NOERROR,
          rc,
          "message " + i + " verifies (" + verifier.getErrorMessage() + "): " + what);
    }
  }
}
