package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;

/**
 * Fuzz target for the DNS message path (docs/security/fuzzing.md): raw query bytes into the node's
 * {@link QueryHandler}, over UDP and over TCP, against a fixed registry (the {@link DnsFixture}
 * one, with enough voters that NS answers need truncation). Properties: no internal failure (the
 * handler's error count stays 0, nothing escapes); a packet without a header or with QR set gets no
 * answer; every answer parses with dnsjava, echoes the id and has QR set; a UDP answer fits the
 * client's advertised payload (512 without EDNS, else at most our own advertised size); asked
 * again, the handler (now perhaps answering from its cache) sends the same bytes. Seeds: hand-made
 * queries under {@code QueryHandlerFuzzTestInputs/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryHandlerFuzzTest {
  private static final int HEADER = 12;

  private DnsFixture fixture;
  private DnsMetrics metrics;
  private QueryHandler handler;

  @BeforeAll
  void openRegistry(@TempDir Path dir) {
    fixture = new DnsFixture(dir, 24);
    metrics = new DnsMetrics(new SimpleMeterRegistry());
    handler = new QueryHandler(new Resolver(fixture.config, fixture.registry.view()), metrics);
  }

  @AfterAll
  void closeRegistry() {
    fixture.close();
  }

  @FuzzTest(maxDuration = "5m")
  void answerQueryBytes(byte[] packet) {
    check(packet, Transport.UDP);
    check(packet, Transport.TCP);
  }

  private void check(byte[] packet, Transport transport) {
    String what = HexFormat.of().formatHex(packet) + " over " + transport;
    byte[] answer = ask(packet, transport);
    assertEquals(0, metrics.errorCount(), "no internal failure on " + what);
    if (packet.length < HEADER || (packet[2] & 0x80) != 0) {
      assertNull(answer, "no answer to a packet without a header or to a response: " + what);
      return;
    }
    if (answer == null) {
      return; // dropped (only forwarding, which is off here, answers later)
    }
    Message m;
    try {
      m = new Message(answer);
    } catch (IOException e) {
      throw new AssertionError(
          "unparseable answer " + HexFormat.of().formatHex(answer) + " to " + what, e);
    }
    assertEquals(
        ((packet[0] & 0xff) << 8) | (packet[1] & 0xff),
        m.getHeader().getID(),
        "id echoed: " + what);
    assertTrue((answer[2] & 0x80) != 0, "QR set: " + what);
    if (transport == Transport.UDP) {
      int limit = udpLimit(packet);
      assertTrue(
          answer.length <= limit,
          answer.length + " bytes, over the client's " + limit + ": " + what);
    }
    assertArrayEquals(
        answer, ask(packet, transport), "the same query gets the same answer: " + what);
  }

  /** What the client can take over UDP: 512 bytes, or its EDNS payload size capped at ours. */
  private int udpLimit(byte[] packet) {
    OPTRecord opt;
    try {
      opt = new Message(packet).getOPT();
    } catch (IOException | RuntimeException unparseable) {
      return 512; // a bare FORMERR header is all it gets
    }
    return opt == null
        ? 512
        : Math.max(512, Math.min(opt.getPayloadSize(), fixture.config.udpPayloadSize()));
  }

  private byte[] ask(byte[] packet, Transport transport) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    handler.handle(packet.clone(), transport, out::set);
    return out.get();
  }
}
