package dev.quorumdns.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenFileTest {
  private static final String SECRET = "s3cret-deploy-0123456789";
  private static final Path FILE = Path.of("/etc/quorumdns/tokens.yaml");

  private static List<ApiToken> parse(String yaml) {
    return TokenFile.parse(FILE, yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsSecretsHashesAndScopes() {
    List<ApiToken> t =
        parse(
            """
        tokens:
          - id: deploy-bot
            secret: %s
            scopes: [write:prod, write:Staging]
          - id: ops
            sha256: %s
            scopes: admin
          - id: dash
            secret: another-secret-of-length
            scopes: [read]
        """
                .formatted(SECRET, ApiToken.sha256Hex("ops-secret-0123456789").toUpperCase()));
    assertEquals(3, t.size());
    assertEquals(Set.of(Scope.write("prod"), Scope.write("staging")), t.get(0).scopes());
    TokenStore store = TokenStore.fixed(FILE, t.get(0));
    assertNotNull(store.authenticate(SECRET));
    assertNull(store.authenticate(SECRET + "x"));
    assertTrue(
        t.get(1).matches(ApiToken.sha256("ops-secret-0123456789")), "sha256 given in upper case");
    assertEquals(Set.of(Scope.ADMIN), t.get(1).scopes());
    assertFalse(t.get(0).toString().contains(SECRET));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown scope           | tokens: [{id: a, secret: %s, scopes: [wrte:prod]}]  | line 1: tokens[0].scopes[0]: 'wrte:prod'",
        "bad namespace           | tokens: [{id: a, secret: %s, scopes: ['write:Bad_ns']}] | tokens[0].scopes[0]: 'write:Bad_ns'",
        "no scopes               | tokens: [{id: a, secret: %s}]                       | tokens[0].scopes: is required",
        "empty scopes            | tokens: [{id: a, secret: %s, scopes: []}]           | tokens[0].scopes: is empty",
        "no id                   | tokens: [{secret: %s, scopes: [read]}]              | tokens[0].id: is required",
        "id with a space         | tokens: [{id: 'a b', secret: %s, scopes: [read]}]   | tokens[0].id: must be",
        "both secret and hash    | tokens: [{id: a, secret: %s, sha256: abc, scopes: [read]}] | tokens[0]: needs exactly one",
        "short hash              | tokens: [{id: a, sha256: abcd, scopes: [read]}]     | tokens[0].sha256: must be 64 hex digits",
        "unknown field           | tokens: [{id: a, secret: %s, scope: [read]}]        | tokens[0].scope: unknown field",
        "not a list              | tokens: {id: a}                                     | tokens: must be a list",
        "unknown key             | token: []                                           | token: unknown key",
        "empty file              | ''                                                  | tokens: is required"
      })
  void errorsNameTheFileLineAndField(String what, String yaml, String expected) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> parse(yaml.formatted(SECRET)), what);
    assertEquals("token-file", e.field());
    assertTrue(e.getMessage().contains(FILE.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), "the secret is never quoted: " + e.getMessage());
  }

  @Test
  void errorsGiveTheLineOfTheTokenAtFault() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                parse(
                    """
        tokens:
          - id: a
            secret: %s
            scopes: [read]
          - id: b
            secret: %s-b
            scopes: [rad]
        """
                        .formatted(SECRET, SECRET)));
    assertTrue(e.getMessage().contains("line 5: tokens[1].scopes[0]: 'rad'"), e.getMessage());
  }

  @Test
  void aShortSecretIsRefusedWithoutBeingQuoted() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> parse("tokens: [{id: a, secret: short-one, scopes: [read]}]"));
    assertTrue(e.getMessage().contains("tokens[0].secret: is shorter than 16"), e.getMessage());
    assertFalse(e.getMessage().contains("short-one"));
  }

  @Test
  void duplicateIdsAndSecretsAreRefused() {
    assertTrue(
        assertThrows(
                ValidationException.class,
                () ->
                    parse(
                        """
        tokens:
          - {id: a, secret: %s, scopes: [read]}
          - {id: a, secret: %s-2, scopes: [read]}
        """
                            .formatted(SECRET, SECRET)))
            .getMessage()
            .contains("tokens[1].id: 'a' is used twice"));
    assertTrue(
        assertThrows(
                ValidationException.class,
                () ->
                    parse(
                        """
        tokens:
          - {id: a, secret: %s, scopes: [read]}
          - {id: b, sha256: %s, scopes: [admin]}
        """
                            .formatted(SECRET, ApiToken.sha256Hex(SECRET))))
            .getMessage()
            .contains("tokens[1]: has the same secret as tokens[0]"));
  }

  @Test
  void aYamlSyntaxErrorGivesLineAndColumnButNotTheSource() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                parse(
                    """
        tokens:
          - id: a
            secret: "%s
            scopes: [read]
        """
                        .formatted(SECRET)));
    assertTrue(
        e.getMessage().matches(".*line \\d+, column \\d+: not valid YAML.*"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), "the secret is never quoted: " + e.getMessage());
    assertFalse(e.getMessage().contains(SECRET.substring(0, 8)), e.getMessage());
  }

  @Test
  void aFileOthersMayReadOrWriteIsRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("tokens.yaml");
    Files.writeString(f, "tokens: []\n");
    for (String mode : List.of("rw-r--r--", "rw--w----", "rw----r--")) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
      ValidationException e =
          assertThrows(ValidationException.class, () -> TokenStore.load(f), mode);
      assertTrue(e.getMessage().contains("chmod 600 " + f), e.getMessage());
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertEquals(0, TokenStore.load(f).tokens().size());
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
    assertEquals(0, TokenStore.load(f).tokens().size());
  }
}
