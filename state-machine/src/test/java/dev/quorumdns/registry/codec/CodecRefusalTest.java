package dev.quorumdns.registry.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.store.StoredMetaCodecAccess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format refuses, with a {@link CodecException} and nothing else, what its encoder never
 * writes: each truncation, trailing bytes, unknown versions and tags, counts and lengths over their
 * limits, text that is not UTF-8, and numbers that only fit a field after being cut down.
 */
@Timeout(30)
class CodecRefusalTest {

  @FunctionalInterface
  interface Decoder {
    Object decode(byte[] b) throws CodecException;
  }

  /**
   * A whole-message format: it reads its version byte and refuses trailing bytes. {@code versions}
   * are the version bytes it knows: bytes written for one of them may well read as another (the
   * byte says how to read).
   */
  private record Format(String name, Decoder decoder, Set<Byte> versions) {}

  private static final Format REQUEST =
      new Format(
          "request",
          CommandCodec::decodeRequest,
          Set.of((byte) CommandCodec.REQUEST_V1, (byte) CommandCodec.REQUEST_V2));
  private static final Format ENTRY =
      new Format(
          "log entry",
          CommandCodec::decodeEntry,
          Set.of((byte) CommandCodec.ENTRY_V1, (byte) CommandCodec.ENTRY_V2));
  private static final Format OUTCOME =
      new Format(
          "outcome",
          OutcomeCodec::decode,
          Set.of((byte) OutcomeCodec.OUTCOME_V1, (byte) OutcomeCodec.OUTCOME_V2));
  private static final Format META =
      new Format("stored meta", StoredMetaCodecAccess::decode, Set.of((byte) 1));

  /** Every golden value's encoding, with the format that decodes it. */
  private static List<Map.Entry<String, Map.Entry<Format, byte[]>>> encodings() {
    List<Map.Entry<String, Map.Entry<Format, byte[]>>> out = new ArrayList<>();
    GoldenCases.commands()
        .forEach(
            (name, c) -> {
              out.add(
                  Map.entry("request " + name, Map.entry(REQUEST, CommandCodec.encodeRequest(c))));
              out.add(
                  Map.entry(
                      "entry " + name,
                      Map.entry(ENTRY, CommandCodec.encodeEntry(new LogEntry(42, c)))));
            });
    GoldenCases.outcomes()
        .forEach(
            (name, o) ->
                out.add(Map.entry("outcome " + name, Map.entry(OUTCOME, OutcomeCodec.encode(o)))));
    out.add(
        Map.entry(
            "stored meta",
            Map.entry(META, StoredMetaCodecAccess.encode(StoredMetaCodecAccess.SAMPLE))));
    return out;
  }

  private static void refused(Decoder d, byte[] input, String what) {
    String hex = HexFormat.of().formatHex(input);
    assertThrows(CodecException.class, () -> d.decode(input), what + " (" + hex + ")");
  }

  @TestFactory
  Stream<DynamicTest> everyTruncationTrailingByteAndUnknownVersionIsRefused() {
    return encodings().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      Format f = e.getValue().getKey();
                      byte[] good = e.getValue().getValue();
                      f.decoder().decode(good);
                      for (int len = 0; len < good.length; len++) {
                        refused(
                            f.decoder(),
                            Arrays.copyOf(good, len),
                            e.getKey() + " truncated to " + len + " bytes");
                      }
                      for (int extra : new int[] {0x00, 0x01, 0xff}) {
                        byte[] longer = Arrays.copyOf(good, good.length + 1);
                        longer[good.length] = (byte) extra;
                        refused(f.decoder(), longer, e.getKey() + " with a trailing byte");
                      }
                      for (int v = 0; v < 256; v++) {
                        if (!f.versions().contains((byte) v)) {
                          byte[] other = good.clone();
                          other[0] = (byte) v;
                          refused(f.decoder(), other, e.getKey() + " in format " + v);
                        }
                      }
                    }));
  }

  /**
   * A node of the previous version reads a spec's first bytes as format 1's port count (at most
   * 64): whatever follows the format-2 byte, that count is refused, so such a node stops rather
   * than misreads a newer spec.
   */
  @Test
  void aFormat1ReaderRefusesEveryFormat2Spec() {
    for (int next = 0; next < 256; next++) {
      ByteSource in =
          new ByteSource(
              new byte[] {(byte) RegistryCodec.SPEC_V2, (byte) next, 0, 0, 0, 0, 0, 0, 0, 0});
      int n = next;
      assertThrows(
          CodecException.class, () -> in.count("ports", ServiceSpec.MAX_PORTS), "second byte " + n);
    }
  }

  @Test
  void everyUnknownTagIsRefused() {
    byte[] delete = CommandCodec.encodeRequest(GoldenCases.commands().get("delete"));
    for (int tag = 8; tag < 256; tag++) {
      if (tag >= 16 && tag <= 19) {
        continue; // the lease and endpoint health commands
      }
      byte[] b = delete.clone();
      b[1] = (byte) tag;
      refused(CommandCodec::decodeRequest, b, "command tag " + tag);
    }
    refused(
        CommandCodec::decodeRequest,
        new byte[] {(byte) CommandCodec.REQUEST_V1, 0},
        "command tag 0");
    for (int tag : new int[] {0, 16, 17, 19, 24, 0x7f, 0x80, 0xff}) {
      refused(
          OutcomeCodec::decode,
          new byte[] {(byte) OutcomeCodec.OUTCOME_V1, (byte) tag},
          "outcome tag " + tag);
    }
    for (int tag : new int[] {0, 18, 19, 24, 0x7f, 0x80, 0xff}) {
      refused(
          OutcomeCodec::decode,
          new byte[] {(byte) OutcomeCodec.OUTCOME_V2, (byte) tag},
          "outcome version 2 tag " + tag);
    }
  }

  private static ByteSink request(int tag) {
    return new ByteSink().u8(CommandCodec.REQUEST_V1).u8(tag);
  }

  private static ByteSink upsertHeader() {
    return request(1).string("prod").string("web");
  }

  private static byte[] upsert(
      Consumer<ByteSink> ports, Consumer<ByteSink> endpoints, Consumer<ByteSink> labels) {
    ByteSink out = upsertHeader();
    ports.accept(out);
    endpoints.accept(out);
    labels.accept(out);
    return out.u8(0).u8(0).toByteArray();
  }

  private static final Consumer<ByteSink> NONE = out -> out.varLong(0);

  private static Consumer<ByteSink> onePort(long port) {
    return out -> out.varLong(1).bool(false).u8(0).varLong(port);
  }

  private static Consumer<ByteSink> oneEndpoint(String address, Long port, Long weight) {
    return out -> {
      out.varLong(1).string(address);
      out.bool(port != null);
      if (port != null) {
        out.varLong(port);
      }
      out.bool(weight != null);
      if (weight != null) {
        out.varLong(weight);
      }
    };
  }

  private static byte[] times(ByteSink head, int n, Consumer<ByteSink> each) {
    for (int i = 0; i < n; i++) {
      each.accept(head);
    }
    return head.toByteArray();
  }

  /** A varint of ten bytes whose value is {@code v}, even where fewer bytes would do. */
  private static byte[] varint10(long v) {
    byte[] b = new byte[10];
    for (int i = 0; i < 9; i++) {
      b[i] = (byte) (0x80 | ((v >>> (7 * i)) & 0x7f));
    }
    b[9] = (byte) ((v >>> 63) & 1);
    return b;
  }

  static Stream<Arguments> malformed() {
    String longName = "a".repeat(64);
    return Stream.of(
        // Counts over their limits (the limit itself is accepted elsewhere: see the round trips).
        bad(
            "65 ports",
            upsert(
                out -> times(out.varLong(65), 65, o -> o.bool(false).u8(0).varLong(80)),
                NONE,
                NONE)),
        bad(
            "1025 endpoints",
            upsert(
                NONE,
                out ->
                    times(
                        out.varLong(1025), 1025, o -> o.string("10.0.0.1").bool(false).bool(false)),
                NONE)),
        bad(
            "65 labels",
            upsert(
                NONE,
                NONE,
                out -> {
                  out.varLong(65);
                  for (int i = 0; i < 65; i++) {
                    out.string("k" + i).string("v");
                  }
                })),
        bad(
            "a batch of 1001",
            times(request(3).varLong(1001), 1001, o -> o.u8(2).string("p").string("x"))),
        bad(
            "a group of 4097",
            times(request(7).varLong(4097), 4097, o -> o.u8(2).string("p").string("x"))),
        bad("an empty batch", request(3).varLong(0).toByteArray()),
        bad("an empty group", request(7).varLong(0).toByteArray()),
        bad("a count beyond int", request(3).raw(varint10(1L << 40)).toByteArray()),
        bad("a negative count", request(3).raw(varint10(-1)).toByteArray()),
        bad(
            "outcomes of a batch of 1001",
            times(
                new ByteSink().u8(OutcomeCodec.OUTCOME_V1).u8(11).varLong(1001),
                1001,
                o -> o.u8(7))),
        bad(
            "outcomes of a group of 4097",
            times(
                new ByteSink().u8(OutcomeCodec.OUTCOME_V1).u8(14).varLong(4097),
                4097,
                o -> o.u8(7))),
        // Lengths over their limits.
        bad("a 64-byte name", request(2).string("prod").string(longName).toByteArray()),
        bad(
            "a 254-byte label key",
            upsert(NONE, NONE, out -> out.varLong(1).string("k".repeat(254)).string("v"))),
        bad(
            "a 4097-byte message",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(4)
                .string("vip4")
                .string("m".repeat(4097))
                .toByteArray()),
        bad(
            "a length beyond the input",
            request(2).varLong(60).raw(new byte[] {'p'}).toByteArray()),
        // Text that is not UTF-8.
        bad(
            "a namespace cut inside a character",
            request(2).bytes(new byte[] {'p', (byte) 0xc3}).string("web").toByteArray()),
        bad(
            "an overlong '/' in a label value",
            upsert(
                NONE,
                NONE,
                out -> out.varLong(1).string("k").bytes(new byte[] {(byte) 0xc0, (byte) 0xaf}))),
        bad(
            "a surrogate in a conflict message",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(4)
                .string("vip4")
                .bytes(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})
                .toByteArray()),
        bad("a node id of 0xff", request(5).bytes(new byte[] {(byte) 0xff}).toByteArray()),
        // Numbers that fit only once cut to an int.
        bad("port 2^32 + 80", upsert(onePort((1L << 32) + 80), NONE, NONE)),
        bad("port -2^32 + 80", upsert(onePort(-(1L << 32) + 80), NONE, NONE)),
        bad(
            "endpoint port -2^32 + 80",
            upsert(NONE, oneEndpoint("10.0.0.1", -(1L << 32) + 80, null), NONE)),
        bad(
            "endpoint weight -2^32 + 5",
            upsert(NONE, oneEndpoint("10.0.0.1", null, -(1L << 32) + 5), NONE)),
        bad(
            "node dns port -2^32 + 53",
            request(4)
                .string("n1")
                .address(GoldenCases.NODE.address())
                .varLong(1)
                .varLong(2)
                .varLong(-(1L << 32) + 53)
                .toByteArray()),
        // Varints that are not what the encoder writes.
        bad(
            "a varint of 11 bytes",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(13)
                .raw(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0})
                .toByteArray()),
        bad(
            "a varint over 64 bits",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(13)
                .raw(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, 0x02})
                .toByteArray()),
        bad(
            "a varint with a needless zero byte",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(13)
                .raw(new byte[] {(byte) 0x81, 0x00})
                .toByteArray()),
        // Values the encoder cannot produce.
        bad(
            "protocol code 2",
            upsert(out -> out.varLong(1).bool(false).u8(2).varLong(80), NONE, NONE)),
        bad(
            "a presence flag of 2",
            upsert(out -> out.varLong(1).u8(2).u8(0).varLong(80), NONE, NONE)),
        bad(
            "a 5-byte address",
            upsertHeader()
                .varLong(0)
                .varLong(0)
                .varLong(0)
                .u8(5)
                .raw(new byte[5])
                .u8(0)
                .toByteArray()),
        bad(
            "an IPv6 vip4",
            upsertHeader()
                .varLong(0)
                .varLong(0)
                .varLong(0)
                .u8(16)
                .raw(new byte[16])
                .u8(0)
                .toByteArray()),
        bad(
            "an IPv4 vip6",
            upsertHeader()
                .varLong(0)
                .varLong(0)
                .varLong(0)
                .u8(0)
                .u8(4)
                .raw(new byte[4])
                .toByteArray()),
        bad(
            "a duplicate label key",
            upsert(
                NONE, NONE, out -> out.varLong(2).string("k").string("a").string("k").string("b"))),
        bad(
            "a node without an address",
            request(4).string("n1").u8(0).varLong(1).varLong(2).varLong(3).toByteArray()),
        bad(
            "a batch inside a batch",
            request(3).varLong(1).u8(3).varLong(1).u8(2).string("p").string("x").toByteArray()),
        bad(
            "a group inside a batch",
            request(3).varLong(1).u8(7).varLong(1).u8(2).string("p").string("x").toByteArray()),
        bad("a node record inside a batch", request(3).varLong(1).u8(5).string("n1").toByteArray()),
        bad(
            "a batch outcome inside a batch outcome",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(11)
                .varLong(1)
                .u8(11)
                .varLong(0)
                .toByteArray()),
        bad(
            "a group outcome inside a group outcome",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(14)
                .varLong(1)
                .u8(14)
                .varLong(0)
                .toByteArray()),
        bad(
            "settings with an IPv6 vip-cidr",
            request(6).string("fd00::/64").bool(false).varLong(0).toByteArray()),
        bad(
            "settings with a hold-down over 7 days",
            request(6)
                .string("240.0.0.0/4")
                .bool(false)
                .varLong(7L * 24 * 3600 * 1000 + 1)
                .toByteArray()),
        // Spec format 2.
        bad("format 2 with an unknown flag", spec2(0x02, NONE)),
        bad("format 2 holding nothing format 1 could not", spec2(0, NONE)),
        bad(
            "endpoint health code 3",
            spec2(
                1,
                out ->
                    out.varLong(1).string("10.0.0.1").bool(false).bool(false).u8(3).bool(false))),
        bad(
            "endpoint lease 0",
            spec2(
                1,
                out ->
                    out.varLong(1)
                        .string("10.0.0.1")
                        .bool(false)
                        .bool(false)
                        .u8(0)
                        .bool(true)
                        .fixedLong(0))),
        bad(
            "a headless spec asking for a VIP",
            upsertHeader()
                .u8(RegistryCodec.SPEC_V2)
                .u8(1)
                .varLong(0)
                .varLong(0)
                .varLong(0)
                .address(GoldenCases.SERVICE.vip4())
                .u8(0)
                .toByteArray()),
        bad("a headless service holding a VIP", serviceWithVip(GoldenCases.SPEC_HEADLESS)),
        bad("a service with a VIP holding none", serviceWithVip(ServiceSpec.ofPorts())),
        bad("a lease ttl of 4999 ms", request(16).fixedLong(1).varLong(4999).toByteArray()),
        bad("a lease ttl over an hour", request(16).fixedLong(1).varLong(3_600_001).toByteArray()),
        bad("lease id 0", request(17).fixedLong(0).toByteArray()),
        bad("a negative lease id", request(17).fixedLong(-5).toByteArray()),
        bad("no lease ids to expire", request(18).varLong(0).toByteArray()),
        bad(
            "1001 lease ids to expire",
            times(request(18).varLong(1001), 1001, o -> o.fixedLong(1))),
        bad(
            "endpoint health of a bad address",
            request(19)
                .string("prod")
                .string("web")
                .string("a..b")
                .bool(false)
                .u8(0)
                .toByteArray()),
        bad(
            "a lease in format 2",
            new ByteSink()
                .u8(OutcomeCodec.OUTCOME_V1)
                .u8(20)
                .u8(2)
                .fixedLong(1)
                .varLong(5000)
                .fixedLong(0)
                .toByteArray()),
        bad("a service revision before its creation", serviceWithRevisions(5, 6)),
        bad("a service created at revision 0", serviceWithRevisions(0, 0)));
  }

  /** An upsert with a format-2 spec: the flags, no ports, {@code endpoints}, no labels, no VIPs. */
  private static byte[] spec2(int flags, Consumer<ByteSink> endpoints) {
    ByteSink out = upsertHeader().u8(RegistryCodec.SPEC_V2).u8(flags).varLong(0);
    endpoints.accept(out);
    return out.varLong(0).u8(0).u8(0).toByteArray();
  }

  /**
   * A deleted-service outcome whose service has {@code spec} and an IPv4 VIP when it is headless,
   * none if not.
   */
  private static byte[] serviceWithVip(ServiceSpec spec) {
    ByteSink out = new ByteSink().u8(OutcomeCodec.OUTCOME_V1).u8(2).string("prod").string("web");
    RegistryCodec.writeSpec(out, spec);
    if (spec.headless()) {
      out.address(GoldenCases.SERVICE.vip4());
    } else {
      out.u8(0);
    }
    return out.u8(0).varLong(2).varLong(1).toByteArray();
  }

  private static byte[] serviceWithRevisions(long revision, long createRevision) {
    ByteSink out = new ByteSink().u8(OutcomeCodec.OUTCOME_V1).u8(2).string("prod").string("web");
    RegistryCodec.writeSpec(out, ServiceSpec.ofPorts());
    return out.address(GoldenCases.SERVICE.vip4())
        .u8(0)
        .varLong(revision)
        .varLong(createRevision)
        .toByteArray();
  }

  private static Arguments bad(String what, byte[] input) {
    return Arguments.of(what, input);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedInputIsRefused(String what, byte[] input) {
    Decoder d =
        input[0] == (byte) OutcomeCodec.OUTCOME_V1
            ? OutcomeCodec::decode
            : CommandCodec::decodeRequest;
    refused(d, input, what);
  }

  @Test
  void theLimitsThemselvesAreAccepted() throws CodecException {
    List<ServicePort> ports = new ArrayList<>();
    for (int i = 0; i < ServiceSpec.MAX_PORTS; i++) {
      ports.add(new ServicePort("p" + i, dev.quorumdns.registry.Protocol.UDP, 65535));
    }
    Map<String, String> labels = new java.util.HashMap<>();
    for (int i = 0; i < ServiceSpec.MAX_LABELS; i++) {
      labels.put(
          "k".repeat(ServiceSpec.MAX_LABEL_KEY_LENGTH - 3) + String.format("%03d", i),
          "\u20ac".repeat(ServiceSpec.MAX_LABEL_VALUE_LENGTH)); // 3 UTF-8 bytes each
    }
    List<dev.quorumdns.registry.Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < ServiceSpec.MAX_ENDPOINTS; i++) {
      endpoints.add(
          new dev.quorumdns.registry.Endpoint(
              "x".repeat(63)
                  + "."
                  + "y".repeat(63)
                  + "."
                  + "z".repeat(63)
                  + "."
                  + "w".repeat(60)
                  + i % 10,
              65535,
              65535)); // 253 characters
    }
    ServiceSpec biggest = new ServiceSpec(ports, endpoints, labels, null, null);
    Command upsert = new Command.UpsertService(GoldenCases.KEY, biggest);
    assertEquals(upsert, CommandCodec.decodeRequest(CommandCodec.encodeRequest(upsert)));
    List<Command> many = new ArrayList<>();
    for (int i = 0; i < Command.Batch.MAX_COMMANDS; i++) {
      many.add(new Command.DeleteService(GoldenCases.KEY));
    }
    Command batch = new Command.Batch(many);
    assertEquals(batch, CommandCodec.decodeRequest(CommandCodec.encodeRequest(batch)));
    List<Command> group = new ArrayList<>();
    for (int i = 0; i < Command.Group.MAX_COMMANDS; i++) {
      group.add(new Command.RemoveNode("n" + i));
    }
    LogEntry entry = new LogEntry(Long.MIN_VALUE, new Command.Group(group));
    assertEquals(entry, CommandCodec.decodeEntry(CommandCodec.encodeEntry(entry)));
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < Command.Group.MAX_COMMANDS; i++) {
      outcomes.add(new Outcome.AlreadyApplied(i == 0 ? Long.MAX_VALUE : -i));
    }
    Outcome groupApplied = new Outcome.GroupApplied(outcomes);
    assertEquals(groupApplied, OutcomeCodec.decode(OutcomeCodec.encode(groupApplied)));
  }
}
