package dev.quorumdns.node.api;

import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The optional bearer token that guards writes. The token is read once from a file at start; it is never
 * logged. Immutable and thread-safe.
 */
public final class ApiAuth {
  private static final System.Logger LOG = System.getLogger(ApiAuth.class.getName());
  private final byte[] expected;

  private ApiAuth(byte[] expected) {
    this.expected = expected;
  }

  public static ApiAuth none() {
    return new ApiAuth(null);
  }

  /** Reads the token from {@code file}, warning if others may read it. */
  public static ApiAuth fromFile(Path file) {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (token.isEmpty()) {
        throw new ValidationException("api-token-file", file + " is empty");
      }
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
          LOG.log(System.Logger.Level.WARNING, "api-token-file " + file + " is readable by group or others; "
              + "chmod 600 it");
        }
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: nothing to check.
      }
      return new ApiAuth(("Bearer " + token).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ValidationException("api-token-file", "cannot read " + file + ": " + e.getMessage());
    }
  }

  public boolean enabled() {
    return expected != null;
  }

  /** Throws 401 unless no token is configured or {@code authorization} carries it. */
  public void check(String authorization) {
    if (expected == null) {
      return;
    }
    byte[] given = authorization == null ? new byte[0] : authorization.trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new ApiException(401, "unauthorized", null,
          authorization == null ? "this call needs 'Authorization: Bearer <token>'" : "wrong bearer token", null);
    }
  }
}
