package dev.quorumdns.registry.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.store.StoredMetaCodecAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The bytes of every format the registry writes to the Raft log or to disk are pinned: a change to
 * a layout shows up here, and must come with a new format version. Run with {@code
 * -Dgolden.update=true} to rewrite the files after a deliberate, versioned change.
 */
class GoldenBytesTest {
  private static final Path DIR = Path.of("src", "test", "resources", "golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  private static void check(String name, byte[] actual, Decoder decode, Object expected)
      throws IOException {
    Path file = DIR.resolve(name + ".hex");
    String hex = HexFormat.of().formatHex(actual);
    if (UPDATE) {
      Files.createDirectories(DIR);
      Files.writeString(file, hex + "\n");
    }
    String golden = Files.readString(file, StandardCharsets.US_ASCII).trim();
    assertEquals(golden, hex, name + ": encoding differs from " + file);
    assertEquals(
        expected, decode.decode(HexFormat.of().parseHex(golden)), name + ": golden bytes decode");
  }

  @FunctionalInterface
  interface Decoder {
    Object decode(byte[] b) throws IOException;
  }

  @TestFactory
  List<DynamicTest> everyFormatMatchesItsGoldenBytes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, Command> c : GoldenCases.commands().entrySet()) {
      tests.add(
          DynamicTest.dynamicTest(
              "request " + c.getKey(),
              () ->
                  check(
                      "request-" + c.getKey(),
                      CommandCodec.encodeRequest(c.getValue()),
                      CommandCodec::decodeRequest,
                      c.getValue())));
    }
    for (Map.Entry<String, LogEntry> e : GoldenCases.entries().entrySet()) {
      tests.add(
          DynamicTest.dynamicTest(
              "log entry " + e.getKey(),
              () -> {
                byte[] entry = CommandCodec.encodeEntry(e.getValue());
                check("entry-" + e.getKey(), entry, CommandCodec::decodeEntry, e.getValue());
                // An entry is the request's command behind its own version byte (of the same
                // version) and the timestamp.
                byte[] request = CommandCodec.encodeRequest(e.getValue().command());
                int version =
                    request[0] == CommandCodec.REQUEST_V1
                        ? CommandCodec.ENTRY_V1
                        : CommandCodec.ENTRY_V2;
                ByteSink expected =
                    new ByteSink()
                        .u8(version)
                        .fixedLong(e.getValue().timestampMillis())
                        .raw(Arrays.copyOfRange(request, 1, request.length));
                assertArrayEquals(expected.toByteArray(), entry, e.getKey());
              }));
    }
    for (Map.Entry<String, Outcome> o : GoldenCases.outcomes().entrySet()) {
      tests.add(
          DynamicTest.dynamicTest(
              "outcome " + o.getKey(),
              () ->
                  check(
                      "outcome-" + o.getKey(),
                      OutcomeCodec.encode(o.getValue()),
                      OutcomeCodec::decode,
                      o.getValue())));
    }
    tests.add(
        DynamicTest.dynamicTest(
            "stored service",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeService(out, GoldenCases.SERVICE);
              check(
                  "stored-service",
                  out.toByteArray(),
                  b -> RegistryCodec.readService(new ByteSource(b)),
                  GoldenCases.SERVICE);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored service without IPv6",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeService(out, GoldenCases.SERVICE_V4_ONLY);
              check(
                  "stored-service-v4-only",
                  out.toByteArray(),
                  b -> RegistryCodec.readService(new ByteSource(b)),
                  GoldenCases.SERVICE_V4_ONLY);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored service, format 2 spec: endpoint health and leases",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeService(out, GoldenCases.SERVICE_STATUS);
              check(
                  "stored-service-endpoint-status",
                  out.toByteArray(),
                  b -> RegistryCodec.readService(new ByteSource(b)),
                  GoldenCases.SERVICE_STATUS);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored service, format 2 spec: headless",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeService(out, GoldenCases.SERVICE_HEADLESS);
              check(
                  "stored-service-headless",
                  out.toByteArray(),
                  b -> RegistryCodec.readService(new ByteSource(b)),
                  GoldenCases.SERVICE_HEADLESS);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored lease",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeLease(out, GoldenCases.LEASE);
              check(
                  "stored-lease",
                  out.toByteArray(),
                  b -> RegistryCodec.readLease(new ByteSource(b)),
                  GoldenCases.LEASE);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored settings without IPv6",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeSettings(out, GoldenCases.SETTINGS_V4_ONLY);
              check(
                  "stored-settings-v4-only",
                  out.toByteArray(),
                  b -> RegistryCodec.readSettings(new ByteSource(b)),
                  GoldenCases.SETTINGS_V4_ONLY);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored hold",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeHold(out, GoldenCases.HOLD);
              check(
                  "stored-hold",
                  out.toByteArray(),
                  b -> RegistryCodec.readHold(new ByteSource(b)),
                  GoldenCases.HOLD);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored node",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeNode(out, GoldenCases.NODE);
              check(
                  "stored-node",
                  out.toByteArray(),
                  b -> RegistryCodec.readNode(new ByteSource(b)),
                  GoldenCases.NODE);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored settings",
            () -> {
              ByteSink out = new ByteSink();
              RegistryCodec.writeSettings(out, GoldenCases.SETTINGS);
              check(
                  "stored-settings",
                  out.toByteArray(),
                  b -> RegistryCodec.readSettings(new ByteSource(b)),
                  GoldenCases.SETTINGS);
            }));
    tests.add(
        DynamicTest.dynamicTest(
            "stored meta",
            () ->
                check(
                    "stored-meta",
                    StoredMetaCodecAccess.encode(StoredMetaCodecAccess.SAMPLE),
                    StoredMetaCodecAccess::decode,
                    StoredMetaCodecAccess.SAMPLE)));
    return tests;
  }
}
