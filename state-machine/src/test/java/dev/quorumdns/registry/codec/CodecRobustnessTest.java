package dev.quorumdns.registry.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.store.StoredMetaCodecAccess;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Decoders accept what encoders write and refuse everything else with a {@link CodecException}
 * only.
 */
class CodecRobustnessTest {
  private static final long SEED = Long.getLong("quorumdns.seed", 20261122L);

  @FunctionalInterface
  interface Decoder {
    Object decode(byte[] b) throws CodecException;
  }

  private static final List<Decoder> DECODERS =
      List.of(
          CommandCodec::decodeRequest,
          CommandCodec::decodeEntry,
          OutcomeCodec::decode,
          b -> RegistryCodec.readService(new ByteSource(b)),
          b -> RegistryCodec.readHold(new ByteSource(b)),
          b -> RegistryCodec.readNode(new ByteSource(b)),
          b -> RegistryCodec.readSettings(new ByteSource(b)),
          StoredMetaCodecAccess::decode,
          b -> RegistryCodec.readKey(new ByteSource(b)),
          b -> RegistryCodec.readSpec(new ByteSource(b)));

  @Test
  void everyCommandAndOutcomeRoundTrips() throws CodecException {
    for (Map.Entry<String, Command> c : GoldenCases.commands().entrySet()) {
      assertEquals(
          c.getValue(),
          CommandCodec.decodeRequest(CommandCodec.encodeRequest(c.getValue())),
          c.getKey());
    }
    for (Map.Entry<String, Outcome> o : GoldenCases.outcomes().entrySet()) {
      assertEquals(
          o.getValue(), OutcomeCodec.decode(OutcomeCodec.encode(o.getValue())), o.getKey());
    }
  }

  @Test
  void truncatedTrailingAndUnknownInputIsRefused() {
    byte[] good = CommandCodec.encodeRequest(GoldenCases.commands().get("upsert"));
    for (int len = 0; len < good.length; len++) {
      byte[] cut = Arrays.copyOf(good, len);
      assertThrows(
          CodecException.class, () -> CommandCodec.decodeRequest(cut), "truncated to " + len);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(longer), "trailing byte");
    byte[] version = good.clone();
    version[0] = 0x52;
    assertThrows(
        CodecException.class, () -> CommandCodec.decodeRequest(version), "unknown version");
    assertThrows(
        CodecException.class, () -> CommandCodec.decodeEntry(good), "a request is not a log entry");
    byte[] tag = good.clone();
    tag[1] = 99;
    assertThrows(
        CodecException.class, () -> CommandCodec.decodeRequest(tag), "unknown command tag");
    byte[] outcome = OutcomeCodec.encode(new Outcome.NotInitialized());
    outcome[1] = 99;
    assertThrows(CodecException.class, () -> OutcomeCodec.decode(outcome), "unknown outcome tag");
  }

  @Test
  void overLimitCountsAndBadTextAreRefused() {
    // A batch claiming 5000 commands (limit 1000).
    ByteSink batch = new ByteSink().u8(CommandCodec.REQUEST_V1).u8(3).varLong(5000);
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(batch.toByteArray()));
    // A name that is not UTF-8.
    ByteSink utf =
        new ByteSink()
            .u8(CommandCodec.REQUEST_V1)
            .u8(2)
            .bytes(new byte[] {(byte) 0xc3, 0x28})
            .string("web");
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(utf.toByteArray()));
    // A valid encoding of an invalid value (an upper-case namespace with an underscore).
    ByteSink invalid =
        new ByteSink().u8(CommandCodec.REQUEST_V1).u8(2).string("Bad_NS").string("web");
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(invalid.toByteArray()));
    // A nested batch.
    ByteSink nested = new ByteSink().u8(CommandCodec.REQUEST_V1).u8(3).varLong(1).u8(3).varLong(0);
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(nested.toByteArray()));
    // A group inside a group.
    ByteSink groups = new ByteSink().u8(CommandCodec.REQUEST_V1).u8(7).varLong(1).u8(7).varLong(0);
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(groups.toByteArray()));
    // A varint that never ends.
    byte[] endless = new byte[20];
    Arrays.fill(endless, (byte) 0xff);
    endless[0] = CommandCodec.REQUEST_V1;
    endless[1] = 3;
    assertThrows(CodecException.class, () -> CommandCodec.decodeRequest(endless));
  }

  @Test
  void randomAndMutatedBytesOnlyEverFailWithCodecException() {
    SplittableRandom random = new SplittableRandom(SEED);
    List<byte[]> seeds = new java.util.ArrayList<>();
    GoldenCases.commands().values().forEach(c -> seeds.add(CommandCodec.encodeRequest(c)));
    GoldenCases.outcomes().values().forEach(o -> seeds.add(OutcomeCodec.encode(o)));
    GoldenCases.entries().values().forEach(e -> seeds.add(CommandCodec.encodeEntry(e)));
    seeds.add(StoredMetaCodecAccess.encode(StoredMetaCodecAccess.SAMPLE));
    ByteSink service = new ByteSink();
    RegistryCodec.writeService(service, GoldenCases.SERVICE);
    seeds.add(service.toByteArray());
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      if (i % 4 == 0) {
        input = new byte[random.nextInt(64)];
        for (int j = 0; j < input.length; j++) {
          input[j] = (byte) random.nextInt(256);
        }
      } else {
        input = seeds.get(random.nextInt(seeds.size())).clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && input.length > 0; e++) {
          int at = random.nextInt(input.length);
          switch (random.nextInt(4)) {
            case 0 -> input[at] ^= (byte) (1 << random.nextInt(8)); // a flipped bit
            case 1 -> input[at] = (byte) random.nextInt(256); // a random byte
            case 2 -> { // a byte removed
              byte[] shorter = new byte[input.length - 1];
              System.arraycopy(input, 0, shorter, 0, at);
              System.arraycopy(input, at + 1, shorter, at, input.length - at - 1);
              input = shorter;
            }
            default -> { // a byte inserted
              byte[] longer = new byte[input.length + 1];
              System.arraycopy(input, 0, longer, 0, at);
              longer[at] = (byte) random.nextInt(256);
              System.arraycopy(input, at, longer, at + 1, input.length - at);
              input = longer;
            }
          }
        }
      }
      String where =
          "seed " + SEED + ", input " + i + " (" + java.util.HexFormat.of().formatHex(input) + ")";
      for (Decoder d : DECODERS) {
        Object decoded;
        try {
          decoded = d.decode(input);
        } catch (CodecException expected) {
          continue; // refused: fine
        } catch (RuntimeException | Error e) {
          fail(where + ": " + e, e);
          return;
        }
        // What decodes is a value: encoding it again gives bytes that decode to the same value.
        try {
          if (decoded instanceof Command c) {
            assertEquals(c, CommandCodec.decodeRequest(CommandCodec.encodeRequest(c)), where);
          } else if (decoded instanceof LogEntry e) {
            assertEquals(e, CommandCodec.decodeEntry(CommandCodec.encodeEntry(e)), where);
          } else if (decoded instanceof Outcome o) {
            assertEquals(o, OutcomeCodec.decode(OutcomeCodec.encode(o)), where);
          }
        } catch (CodecException e) {
          fail(where + ": decoded, but its encoding does not decode: " + e, e);
        }
      }
    }
  }
}
