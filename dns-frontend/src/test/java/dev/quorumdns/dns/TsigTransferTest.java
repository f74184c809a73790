package dev.quorumdns.dns;

import static dev.quorumdns.dns.TransferHelpers.CLOCK;
import static dev.quorumdns.dns.TransferHelpers.KEY;
import static dev.quorumdns.dns.TransferHelpers.SECONDARY;
import static dev.quorumdns.dns.TransferHelpers.SECRET;
import static dev.quorumdns.dns.TransferHelpers.STRANGER;
import static dev.quorumdns.dns.TransferHelpers.ZONE;
import static dev.quorumdns.dns.TransferHelpers.ask;
import static dev.quorumdns.dns.TransferHelpers.assertRcode;
import static dev.quorumdns.dns.TransferHelpers.axfr;
import static dev.quorumdns.dns.TransferHelpers.parse;
import static dev.quorumdns.dns.TransferHelpers.tsig;
import static dev.quorumdns.dns.TransferHelpers.wire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.dns.transfer.TransferMetrics.Result;
import dev.quorumdns.dns.transfer.TsigVerifier;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * TSIG on zone transfers and on the queries secondaries send (dnsjava's TSIG on both sides): every
 * message of a signed transfer verifies as a stream, failures are NOTAUTH with the TSIG error, and
 * a key required is a key required.
 */
class TsigTransferTest {
  @TempDir Path dir;
  private DnsFixture fx;
  private ZoneTransfers transfers;
  private QueryHandler handler;

  @BeforeEach
  void setUp() {
    fx = new DnsFixture(dir, 0);
    open(TransferHelpers.config(KEY, true, 10));
  }

  private void open(TransferConfig tc) {
    if (transfers != null) {
      transfers.close();
    }
    DnsConfig config = fx.config.withTransfers(tc);
    transfers = TransferHelpers.transfers(config, fx.registry, new SimpleMeterRegistry());
    handler = TransferHelpers.handler(config, fx.registry, transfers);
  }

  @AfterEach
  void tearDown() {
    transfers.close();
    fx.close();
  }

  @Test
  void everyMessageOfASignedTransferVerifies() {
    for (int i = 0; i < 2000; i++) {
      TestRegistries.register(fx.registry, "bulk", "svc-" + i, ServiceSpec.ofPorts());
    }
    TSIG key = tsig(KEY);
    byte[] query = wire(axfr(ZONE, 99), key);
    TSIGRecord queryTsig = parse(query).getTSIG();
    List<byte[]> answer = ask(handler, query, Transport.TCP, SECONDARY);
    assertTrue(answer.size() > 2, answer.size() + " messages");
    TSIG.StreamVerifier verifier = new TSIG.StreamVerifier(key, queryTsig);
    for (int i = 0; i < answer.size(); i++) {
      Message m = parse(answer.get(i));
      assertNotNull(m.getTSIG(), "message " + i + " is signed");
      assertEquals(
          Rcode.NOERROR,
          verifier.verify(m, answer.get(i), i == answer.size() - 1),
          "message " + i + ": " + verifier.getErrorMessage());
      assertTrue(m.isVerified(), "message " + i);
    }
  }

  @Test
  void aTransferSignedWithAnotherSecretIsNotAuthWithBadSig() {
    TSIG wrong = tsig("xfr-key.", new byte[32], CLOCK);
    List<byte[]> answer = ask(handler, wire(axfr(ZONE, 5), wrong), Transport.TCP, SECONDARY);
    assertRcode(Rcode.NOTAUTH, answer);
    TSIGRecord error = parse(answer.get(0)).getTSIG();
    assertNotNull(error, "the answer carries a TSIG with the error");
    assertEquals(Rcode.BADSIG, error.getError());
    assertEquals(0, error.getSignature().length, "BADSIG answers are unsigned");
    assertEquals(1, transfers.metrics().transfers("axfr", Result.NOTAUTH));
  }

  @Test
  void aTransferSignedWithAnUnknownKeyIsNotAuthWithBadKey() {
    TSIG other = tsig("other-key.", SECRET, CLOCK);
    List<byte[]> answer = ask(handler, wire(axfr(ZONE, 5), other), Transport.TCP, SECONDARY);
    assertRcode(Rcode.NOTAUTH, answer);
    TSIGRecord error = parse(answer.get(0)).getTSIG();
    assertEquals(Rcode.BADKEY, error.getError());
    assertEquals(TransferHelpers.name("other-key."), error.getName());
  }

  @Test
  void aTransferSignedAtAnotherTimeIsNotAuthWithBadTimeSignedByUs() {
    Clock skewed = Clock.offset(CLOCK, Duration.ofMinutes(10));
    TSIG late = tsig("xfr-key.", SECRET, skewed);
    byte[] query = wire(axfr(ZONE, 5), late);
    List<byte[]> answer = ask(handler, query, Transport.TCP, SECONDARY);
    assertRcode(Rcode.NOTAUTH, answer);
    Message m = parse(answer.get(0));
    assertEquals(Rcode.BADTIME, m.getTSIG().getError());
    assertEquals(
        Rcode.NOERROR,
        tsig("xfr-key.", SECRET, skewed).verify(m, answer.get(0), parse(query).getTSIG()),
        "a BADTIME answer is signed, with the query's time");
  }

  @Test
  void anUnsignedTransferIsRefusedWhenTsigIsRequired() {
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 5), null), Transport.TCP, SECONDARY));
    open(TransferHelpers.config(KEY, false, 10));
    assertEquals(
        Rcode.NOERROR,
        TransferHelpers.rcode(
            ask(handler, wire(axfr(ZONE, 5), null), Transport.TCP, SECONDARY).get(0)),
        "allowed address, TSIG optional");
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 5), null), Transport.TCP, STRANGER));
  }

  @Test
  void withTransferAllowAKeyDoesNotOpenOtherAddresses() {
    assertRcode(
        Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 5), tsig(KEY)), Transport.TCP, STRANGER));
    assertEquals(
        Rcode.NOERROR,
        TransferHelpers.rcode(
            ask(handler, wire(axfr(ZONE, 5), tsig(KEY)), Transport.TCP, SECONDARY).get(0)));
  }

  @Test
  void withOnlyKeysAnyAddressMayTransferWithAKey() {
    open(
        new TransferConfig(
            AddressRanges.none(), List.of(KEY), true, 10, List.of(), Duration.ofSeconds(1)));
    assertEquals(
        Rcode.NOERROR,
        TransferHelpers.rcode(
            ask(handler, wire(axfr(ZONE, 5), tsig(KEY)), Transport.TCP, STRANGER).get(0)));
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 5), null), Transport.TCP, STRANGER));
  }

  @Test
  void signedQueriesGetSignedAnswersAndBadOnesNotAuth() throws Exception {
    TSIG key = tsig(KEY);
    Message q = Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN));
    byte[] query = wire(q, key);
    List<byte[]> answer = ask(handler, query, Transport.UDP, SECONDARY);
    Message m = parse(answer.get(0));
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals(1, m.getSection(Section.ANSWER).size());
    assertEquals(
        Rcode.NOERROR,
        key.verify(m, answer.get(0), parse(query).getTSIG()),
        "the answer is signed");
    byte[] bad =
        wire(
            Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN)),
            tsig("xfr-key.", new byte[32], CLOCK));
    assertRcode(Rcode.NOTAUTH, ask(handler, bad, Transport.UDP, SECONDARY));
    byte[] plain = Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN)).toWire();
    Message unsigned = parse(ask(handler, plain, Transport.UDP, SECONDARY).get(0));
    assertNull(unsigned.getTSIG(), "unsigned queries get unsigned answers");
    assertEquals(Rcode.NOERROR, unsigned.getRcode());
  }

  @Test
  void failuresAreLoggedAtMostOnceAMinutePerClient() {
    MutableClock clock = new MutableClock(CLOCK.instant());
    TsigVerifier verifier = new TsigVerifier(List.of(KEY), clock, "n1");
    ListAppender<ILoggingEvent> capture = new ListAppender<>();
    List<ILoggingEvent> logged = capture.list;
    Logger log = (Logger) LoggerFactory.getLogger(TsigVerifier.class);
    capture.start();
    log.addAppender(capture);
    try {
      byte[] bad = wire(axfr(ZONE, 1), tsig("xfr-key.", new byte[32], clock));
      for (int i = 0; i < 5; i++) {
        verifier.verify(parse(bad), bad, SECONDARY);
        clock.advance(Duration.ofSeconds(10));
      }
      verifier.verify(parse(bad), bad, STRANGER);
      assertEquals(2, logged.size(), "once for each client in the first minute");
      clock.advance(Duration.ofSeconds(15));
      verifier.verify(parse(bad), bad, SECONDARY);
      assertEquals(3, logged.size());
      assertTrue(
          logged.get(2).getFormattedMessage().contains("4 more failures from this client"),
          logged.get(2).getFormattedMessage());
      assertTrue(
          logged.get(0).getFormattedMessage().contains("BADSIG"),
          logged.get(0).getFormattedMessage());
      assertTrue(
          logged.get(0).getFormattedMessage().contains("127.0.0.53"),
          logged.get(0).getFormattedMessage());
    } finally {
      log.detachAppender(capture);
    }
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
