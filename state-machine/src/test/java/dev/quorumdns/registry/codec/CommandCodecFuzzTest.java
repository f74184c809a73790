package dev.quorumdns.registry.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;

/**
 * Fuzz targets for the versioned command codec (docs/security/fuzzing.md). Bytes from the Raft log
 * or a client either decode to a value that survives encode/decode unchanged, or are refused with a
 * {@link CodecException}: any other exception is a finding. Seeds: the golden files, under {@code
 * CommandCodecFuzzTestInputs/}.
 */
class CommandCodecFuzzTest {

  /** Arbitrary bytes into every decoder that reads log or request bytes. */
  @FuzzTest(maxDuration = "5m")
  void decodeArbitraryBytes(byte[] bytes) {
    try {
      Command c = CommandCodec.decodeRequest(bytes);
      byte[] again = CommandCodec.encodeRequest(c);
      assertEquals(c, decodeRequest(again), "request re-decodes to the same command");
      assertArrayEquals(
          again, CommandCodec.encodeRequest(decodeRequest(again)), "request encoding is stable");
    } catch (CodecException refused) {
      // The documented refusal.
    }
    try {
      LogEntry e = CommandCodec.decodeEntry(bytes);
      byte[] again = CommandCodec.encodeEntry(e);
      assertEquals(e, decodeEntry(again), "log entry re-decodes to the same entry");
      assertArrayEquals(
          again, CommandCodec.encodeEntry(decodeEntry(again)), "entry encoding is stable");
    } catch (CodecException refused) {
      // The documented refusal.
    }
    try {
      Outcome o = OutcomeCodec.decode(bytes);
      assertEquals(
          o, decodeOutcome(OutcomeCodec.encode(o)), "outcome re-decodes to the same outcome");
    } catch (CodecException refused) {
      // The documented refusal.
    }
  }

  /**
   * A command built from fuzzed fields: encoded as a request and as a log entry, it decodes to
   * itself.
   */
  @FuzzTest(maxDuration = "5m")
  void encodeStructuredCommands(FuzzedDataProvider data) {
    Command c;
    long timestamp = data.consumeLong();
    try {
      c = new FuzzedCommands(data).command(true);
    } catch (IllegalArgumentException invalid) {
      return; // the value constructors refused the fields: nothing to encode
    }
    assertEquals(c, decodeRequest(CommandCodec.encodeRequest(c)), "request round trip");
    LogEntry e = new LogEntry(timestamp, c);
    assertEquals(e, decodeEntry(CommandCodec.encodeEntry(e)), "log entry round trip");
  }

  private static Command decodeRequest(byte[] b) {
    try {
      return CommandCodec.decodeRequest(b);
    } catch (CodecException e) {
      throw new AssertionError(
          "the encoder wrote a request its decoder refuses: " + e.getMessage(), e);
    }
  }

  private static LogEntry decodeEntry(byte[] b) {
    try {
      return CommandCodec.decodeEntry(b);
    } catch (CodecException e) {
      throw new AssertionError(
          "the encoder wrote a log entry its decoder refuses: " + e.getMessage(), e);
    }
  }

  private static Outcome decodeOutcome(byte[] b) {
    try {
      return OutcomeCodec.decode(b);
    } catch (CodecException e) {
      throw new AssertionError(
          "the encoder wrote an outcome its decoder refuses: " + e.getMessage(), e);
    }
  }
}
