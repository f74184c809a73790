package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.dns.transfer.TsigKey;
import dev.quorumdns.dns.transfer.TsigKeyFile;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The key file is what {@code tsig-keygen} writes; every mistake names the file and line, never a
 * secret.
 */
class TsigKeyFileTest {
  private static final String SECRET = "VIg6XG8z7qNh6EWgfVCKqSYqFgCcWPcygND+09u9i2M=";

  @TempDir Path dir;

  @Test
  void readsWhatTsigKeygenWrites() throws IOException {
    // The exact text of `tsig-keygen xfr-key` and `tsig-keygen secondary.example.`, with a comment
    // added.
    String text =
        "key \"xfr-key\" {\n\talgorithm hmac-sha256;\n\tsecret \""
            + SECRET
            + "\";\n};\n"
            + "# the second secondary\n"
            + "key \"secondary.example.\" {\n\talgorithm hmac-sha256;\n\tsecret \""
            + SECRET
            + "\";\n};\n";
    Path file = write(text, "rw-------");
    List<TsigKey> keys = TsigKeyFile.read(file);
    assertEquals(2, keys.size());
    assertEquals("xfr-key.", keys.get(0).name().toString());
    assertEquals("secondary.example.", keys.get(1).name().toString());
    assertEquals(new TsigKey(keys.get(0).name(), Base64.getDecoder().decode(SECRET)), keys.get(0));
    assertFalse(keys.toString().contains(SECRET.substring(0, 8)), "no secret in toString: " + keys);
  }

  @Test
  void acceptsCommentsAndUnquotedNames() {
    List<TsigKey> keys =
        TsigKeyFile.parse(
            "f",
            "// a key\nkey XFR-Key { /* the algorithm */ algorithm "
                + "HMAC-SHA256; secret \""
                + SECRET
                + "\"; };");
    assertEquals("xfr-key.", keys.get(0).name().toString(), "key names compare case-insensitively");
  }

  static Stream<Arguments> mistakes() {
    String ok = "\"" + SECRET + "\"";
    return Stream.of(
        Arguments.of("", "f: no key statement"),
        Arguments.of("keys \"a\" {};", "f line 1: expected a key statement"),
        Arguments.of(
            "key \"a\" {\n algorithm hmac-md5;\n secret " + ok + "; };",
            "f line 2: key a.: algorithm hmac-md5 (expected: hmac-sha256)"),
        Arguments.of("key \"a\" { algorithm hmac-sha256; };", "f line 1: key a.: no secret"),
        Arguments.of("key \"a\" { secret " + ok + "; };", "f line 1: key a.: no algorithm"),
        Arguments.of(
            "key \"a\" {\n\n algorithm hmac-sha256;\n secret \"not base64!\"; };",
            "f line 4: key a.: the secret is not base64"),
        Arguments.of(
            "key \"a\" { algorithm hmac-sha256; secret \"c2hvcnQ=\"; };",
            "f line 1: key a.: the secret is 5 bytes (expected: at least 16; tsig-keygen makes 32)"),
        Arguments.of(
            "key \"a\" { algorithm hmac-sha256; secret " + ok + "; }",
            "f line 1: unexpected end of file"),
        Arguments.of(
            "key \"a\" { algorithm hmac-sha256 secret " + ok + "; };",
            "f line 1: expected ';', found 'secret'"),
        Arguments.of("key \"a\" { colour blue; };", "f line 1: key a.: unknown field 'colour'"),
        Arguments.of(
            "key \"a\" { algorithm hmac-sha256; secret "
                + ok
                + "; };\nkey \"A.\" { algorithm hmac-sha256; "
                + "secret "
                + ok
                + "; };",
            "f line 2: key a. is defined twice"),
        Arguments.of("key \"a { algorithm", "f line 1: unterminated quoted string"),
        Arguments.of("/* key", "f line 1: unterminated /* comment"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("mistakes")
  void everyMistakeNamesTheFileAndLine(String text, String message) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> TsigKeyFile.parse("f", text));
    assertEquals("tsig-key-file", e.field());
    assertEquals(
        message,
        e.reason().substring(0, Math.min(e.reason().length(), message.length())),
        e.reason());
    assertFalse(e.getMessage().contains(SECRET), "never quotes a secret: " + e.getMessage());
  }

  @Test
  void refusesAFileOthersMayRead() throws IOException {
    Path file =
        write("key \"a\" { algorithm hmac-sha256; secret \"" + SECRET + "\"; };", "rw-r--r--");
    ValidationException e = assertThrows(ValidationException.class, () -> TsigKeyFile.read(file));
    assertEquals(
        "tsig-key-file: "
            + file
            + " is open to group or others (mode rw-r--r--); chmod 600 "
            + file,
        e.getMessage());
    ValidationException missing =
        assertThrows(ValidationException.class, () -> TsigKeyFile.read(dir.resolve("none")));
    assertEquals("tsig-key-file", missing.field());
  }

  private Path write(String text, String mode) throws IOException {
    Path file = dir.resolve("keys-" + mode);
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }
}
