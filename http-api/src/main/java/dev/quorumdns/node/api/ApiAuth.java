package dev.quorumdns.node.api;

import dev.quorumdns.node.auth.ApiToken;
import dev.quorumdns.node.auth.Caller;
import dev.quorumdns.node.auth.Scope;
import dev.quorumdns.node.auth.TokenStore;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call what. Three modes: none (everything open, the default), the legacy single token of
 * {@code --api-token-file} (writes and cluster changes need it, reads are open), and scoped tokens
 * of {@code --token-file} (every registry call needs a token; health, readiness and metrics stay
 * open). Tokens are never logged or echoed. Thread-safe.
 */
public final class ApiAuth {
  /** The id the legacy {@code --api-token-file} token has in the audit log. */
  public static final String LEGACY_ID = "api-token";

  private static final Logger LOG = LoggerFactory.getLogger(ApiAuth.class);
  private final TokenStore store;
  private final boolean readsNeedToken;

  private ApiAuth(TokenStore store, boolean readsNeedToken) {
    this.store = store;
    this.readsNeedToken = readsNeedToken;
  }

  public static ApiAuth none() {
    return new ApiAuth(null, false);
  }

  /** Scoped tokens from {@code --token-file}. */
  public static ApiAuth tokens(TokenStore store) {
    return new ApiAuth(store, true);
  }

  /**
   * Reads the legacy token from {@code file} (all write and admin scopes), warning if others may
   * read it.
   */
  public static ApiAuth fromFile(Path file) {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (token.isEmpty()) {
        throw new ValidationException("api-token-file", file + " is empty");
      }
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ)
            || perms.contains(PosixFilePermission.OTHERS_READ)) {
          LOG.warn("api-token-file {} is readable by group or others; chmod 600 it", file);
        }
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: nothing to check.
      }
      ApiToken t =
          new ApiToken(LEGACY_ID, ApiToken.sha256(token), Set.of(Scope.WRITE_ALL, Scope.ADMIN));
      return new ApiAuth(TokenStore.fixed(file, t), false);
    } catch (IOException e) {
      throw new ValidationException(
          "api-token-file", "cannot read " + file + ": " + e.getMessage());
    }
  }

  public boolean enabled() {
    return store != null;
  }

  /**
   * The caller of a request that needs {@code access}: {@link Scope#READ} for registry reads, a
   * write or admin scope for changes, or null for open endpoints. Throws 401 when a token is needed
   * and missing or unknown.
   */
  public Caller authenticate(String authorization, Scope access) {
    if (store == null) {
      return Caller.UNGUARDED;
    }
    if (access == null || (access.kind() == Scope.Kind.READ && !readsNeedToken)) {
      return Caller.ANONYMOUS;
    }
    if (authorization == null || authorization.isBlank()) {
      throw unauthorized("this call needs 'Authorization: Bearer <token>'");
    }
    String a = authorization.trim();
    if (a.length() < 7 || !a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      throw unauthorized("only bearer tokens are accepted ('Authorization: Bearer <token>')");
    }
    Caller c = store.authenticate(a.substring(7).trim());
    if (c == null) {
      throw unauthorized("unknown bearer token");
    }
    return c;
  }

  /** Throws 403, naming the scope needed, unless {@code caller} has it. */
  public static void require(Caller caller, Scope needed, String toDo) {
    if (!caller.may(needed)) {
      throw new ApiException(
          403,
          "forbidden",
          null,
          "token '" + caller.id() + "' lacks scope " + needed + ", needed to " + toDo,
          null);
    }
  }

  private static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", null, message, null);
  }
}
