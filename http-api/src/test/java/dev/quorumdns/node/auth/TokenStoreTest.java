package dev.quorumdns.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  private static final String A = "secret-of-token-a-0001";
  private static final String B = "secret-of-token-b-0002";

  private static void write(Path f, String yaml) throws IOException {
    Files.writeString(f, yaml);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void reloadAddsAndRevokesTokensAndKeepsThemWhenTheFileBreaks(@TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("tokens.yaml");
    write(f, "tokens: [{id: a, secret: " + A + ", scopes: [read]}]\n");
    TokenStore s = TokenStore.load(f);
    assertEquals("a", s.authenticate(A).id());
    assertFalse(s.reloadIfChanged(), "unchanged file");

    write(f, "tokens: [{id: b, secret: " + B + ", scopes: ['write:*']}]\n");
    assertTrue(s.reloadIfChanged());
    assertNull(s.authenticate(A), "a revoked");
    assertEquals("b", s.authenticate(B).id());
    assertTrue(s.authenticate(B).may(Scope.write("anything")));

    write(f, "tokens: [{id: b, secret: " + B + ", scopes: [nonsense]}]\n");
    assertFalse(s.reloadIfChanged(), "a broken file is not taken");
    assertNotNull(s.authenticate(B), "the tokens in force stay");

    Files.delete(f);
    assertFalse(s.reloadIfChanged());
    assertNotNull(s.authenticate(B), "a missing file keeps the tokens in force");
  }

  @Test
  void looseningPermissionsKeepsTheOldTokensAndFixingThemBringsTheNewOnesIn(@TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("tokens.yaml");
    write(f, "tokens: [{id: a, secret: " + A + ", scopes: [read]}]\n");
    TokenStore s = TokenStore.load(f);
    Files.writeString(f, "tokens: [{id: b, secret: " + B + ", scopes: [read]}]\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertFalse(s.reloadIfChanged());
    assertNotNull(s.authenticate(A));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertTrue(s.reloadIfChanged());
    assertNull(s.authenticate(A));
    assertNotNull(s.authenticate(B));
  }

  @Test
  void scopesCoverWhatTheySay() {
    assertTrue(Scope.READ.covers(Scope.READ));
    assertFalse(Scope.READ.covers(Scope.write("a")));
    assertTrue(Scope.write("a").covers(Scope.READ), "a writer may read");
    assertTrue(Scope.write("a").covers(Scope.write("a")));
    assertFalse(Scope.write("a").covers(Scope.write("b")));
    assertTrue(Scope.WRITE_ALL.covers(Scope.write("b")));
    assertFalse(Scope.WRITE_ALL.covers(Scope.ADMIN));
    assertFalse(
        Scope.ADMIN.covers(Scope.write("a")), "admin is about the cluster, not the registry");
    assertTrue(Scope.ADMIN.covers(Scope.READ));
    assertEquals("write:*", Scope.parse("s", "write:*").toString());
    assertEquals(Scope.write("prod"), Scope.parse("s", "write:PROD"));
  }
}
