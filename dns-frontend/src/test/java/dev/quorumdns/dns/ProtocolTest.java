package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The protocol rules of docs/architecture.md at the handler, without sockets: opcodes, question
 * count, EDNS0 (echo, DO, NSID, BADVERS, payload clamp), header bits, classes and meta types, and
 * truncation by whole RRsets against a registry whose NS answer (82 voters) is larger than 1232
 * bytes.
 */
class ProtocolTest {
  private static final String WEB = "web.prod.mesh.internal.";
  private static final int VOTERS = 82;
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(VOTERS - 2);
  static QueryHandler handler;

  @BeforeAll
  static void setUp() {
    handler =
        new QueryHandler(
            new Resolver(FX.get().config, FX.get().registry.view()),
            new DnsMetrics(new SimpleMeterRegistry()));
  }

  static Message query(String name, int type) {
    return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
  }

  static Message edns(Message q, int payload, int flags, EDNSOption... options) {
    q.addRecord(new OPTRecord(payload, 0, 0, flags, List.of(options)), Section.ADDITIONAL);
    return q;
  }

  static byte[] raw(byte[] query, Transport t) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    handler.handle(query, t, out::set);
    return out.get();
  }

  static Message ask(Message q, Transport t) throws IOException {
    byte[] answer = raw(q.toWire(), t);
    assertNotNull(answer, "no answer to\n" + q);
    return new Message(answer);
  }

  static Message ask(Message q) throws IOException {
    return ask(q, Transport.UDP);
  }

  @ParameterizedTest(name = "opcode {0}")
  @ValueSource(ints = {Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE, 6, 15})
  void otherOpcodesGetNotimpWithTheirOpcode(int opcode) throws IOException {
    Message q = query(WEB, Type.A);
    q.getHeader().setOpcode(opcode);
    Message m = ask(q);
    assertEquals(Rcode.NOTIMP, m.getRcode());
    assertEquals(opcode, m.getHeader().getOpcode());
    assertTrue(m.getHeader().getFlag(Flags.QR));
    assertEquals(0, m.getHeader().getCount(Section.ANSWER));
  }

  @Test
  void anythingButOneQuestionIsFormerr() throws IOException {
    Message two = query(WEB, Type.A);
    two.addRecord(
        Record.newRecord(Name.fromConstantString("db.prod.mesh.internal."), Type.A, DClass.IN),
        Section.QUESTION);
    assertEquals(Rcode.FORMERR, ask(two).getRcode());
    Message none = new Message();
    assertEquals(Rcode.FORMERR, ask(none).getRcode());
    Message withAnswer = query(WEB, Type.A);
    withAnswer.addRecord(
        Record.fromString(
            Name.fromConstantString(WEB), Type.A, DClass.IN, 60, "240.0.0.1", Name.root),
        Section.ANSWER);
    assertEquals(Rcode.FORMERR, ask(withAnswer).getRcode());
  }

  @Test
  void ednsIsEchoedWithOurPayloadTheDoBitAndNsidOnlyWhenAsked() throws IOException {
    assertNull(ask(query(WEB, Type.A)).getOPT(), "no OPT without EDNS");
    OPTRecord plain = ask(edns(query(WEB, Type.A), 4096, 0)).getOPT();
    assertEquals(FX.get().config.udpPayloadSize(), plain.getPayloadSize());
    assertEquals(0, plain.getVersion());
    assertEquals(0, plain.getFlags() & ExtendedFlags.DO);
    assertTrue(plain.getOptions().isEmpty(), "no NSID unless asked");
    OPTRecord withDo = ask(edns(query(WEB, Type.A), 4096, ExtendedFlags.DO)).getOPT();
    assertEquals(ExtendedFlags.DO, withDo.getFlags() & ExtendedFlags.DO, "DO copied (RFC 3225)");
    OPTRecord nsid = ask(edns(query(WEB, Type.A), 1232, 0, new NSIDOption(new byte[0]))).getOPT();
    List<EDNSOption> options = nsid.getOptions(EDNSOption.Code.NSID);
    assertEquals(1, options.size());
    byte[] option = options.get(0).toWire(); // code, length, data
    assertEquals("n1", new String(option, 4, option.length - 4, StandardCharsets.US_ASCII));
  }

  @Test
  void ednsVersionAboveZeroIsBadvers() throws IOException {
    Message q = query(WEB, Type.A);
    q.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
    Message m = ask(q);
    assertEquals(Rcode.BADVERS, m.getRcode());
    assertEquals(0, m.getHeader().getRcode(), "BADVERS is carried in the OPT extended rcode");
    assertEquals(0, m.getOPT().getVersion(), "we answer with the version we speak");
    assertEquals(0, m.getHeader().getCount(Section.ANSWER));
  }

  @Test
  void twoOptRecordsAreFormerr() throws IOException {
    Message q = edns(edns(query(WEB, Type.A), 1232, 0), 1232, 0);
    assertEquals(Rcode.FORMERR, ask(q).getRcode());
  }

  @Test
  void rdAndCdAreCopiedAlsoFromTheCache() throws IOException {
    for (int round = 0; round < 2; round++) {
      Message q = query(WEB, Type.A);
      q.getHeader().unsetFlag(Flags.RD);
      q.getHeader().setFlag(Flags.CD);
      Message m = ask(q);
      assertFalse(m.getHeader().getFlag(Flags.RD));
      assertTrue(m.getHeader().getFlag(Flags.CD));
      Message rd = ask(query(WEB, Type.A));
      assertTrue(rd.getHeader().getFlag(Flags.RD));
      assertFalse(rd.getHeader().getFlag(Flags.CD));
      assertFalse(rd.getHeader().getFlag(Flags.RA), "not a recursive server");
    }
  }

  @Test
  void otherClassesAndZoneTransfersAreRefusedMetaTypesAreNot() throws IOException {
    assertEquals(
        Rcode.REFUSED,
        ask(Message.newQuery(Record.newRecord(Name.fromConstantString(WEB), Type.TXT, DClass.CH)))
            .getRcode());
    assertEquals(Rcode.REFUSED, ask(query("mesh.internal.", Type.AXFR), Transport.TCP).getRcode());
    assertEquals(Rcode.REFUSED, ask(query("mesh.internal.", Type.IXFR), Transport.TCP).getRcode());
    assertEquals(Rcode.NOTIMP, ask(query(WEB, Type.MAILB)).getRcode());
    assertEquals(Rcode.FORMERR, ask(query(WEB, Type.OPT)).getRcode());
    assertEquals(Rcode.NOERROR, ask(query(WEB, 65280)).getRcode(), "an unknown type is NODATA");
  }

  @Test
  void bigAnswersAreTruncatedByWholeRrsetsToTheNegotiatedSize() throws IOException {
    int[][] payloadAndLimit = {{0, 512}, {100, 512}, {600, 600}, {1232, 1232}, {4096, 1232}};
    for (int[] pl : payloadAndLimit) {
      Message q = query("mesh.internal.", Type.NS);
      if (pl[0] > 0) {
        edns(q, pl[0], 0);
      }
      byte[] wire = raw(q.toWire(), Transport.UDP);
      Message m = new Message(wire);
      String what = "payload " + pl[0] + ": " + wire.length + " bytes";
      assertTrue(wire.length <= pl[1], what);
      assertTrue(m.getHeader().getFlag(Flags.TC), what);
      assertEquals(
          0, m.getSection(Section.ANSWER).size(), "the NS RRset does not fit whole: " + what);
      assertEquals(pl[0] > 0, m.getOPT() != null, "OPT kept in a truncated answer: " + what);
    }
    Message tcp = ask(query("mesh.internal.", Type.NS), Transport.TCP);
    assertFalse(tcp.getHeader().getFlag(Flags.TC));
    assertEquals(VOTERS, tcp.getSection(Section.ANSWER).size());
    assertEquals(
        VOTERS, tcp.getSection(Section.ADDITIONAL).size(), "glue for every voter over TCP");
    Message srv = ask(query("_http._tcp." + WEB, Type.SRV));
    assertFalse(srv.getHeader().getFlag(Flags.TC), "a small answer is whole");
    assertEquals(2, srv.getSection(Section.ADDITIONAL).size());
  }

  @Test
  void unparseableQueriesGetAHeaderOnlyFormerrWithTheirId() throws IOException {
    byte[] q = query(WEB, Type.A).toWire();
    byte[] cut = java.util.Arrays.copyOf(q, q.length - 3);
    Message m = new Message(raw(cut, Transport.UDP));
    assertEquals(Rcode.FORMERR, m.getRcode());
    assertEquals(new Message(q).getHeader().getID(), m.getHeader().getID());
    assertEquals(0, m.getHeader().getCount(Section.QUESTION));
    assertNull(raw(new byte[11], Transport.UDP), "shorter than a header: dropped");
  }
}
