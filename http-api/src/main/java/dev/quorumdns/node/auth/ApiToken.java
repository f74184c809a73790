package dev.quorumdns.node.auth;

import dev.quorumdns.registry.ValidationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * One configured token: its loggable id, the SHA-256 of its secret (the secret itself is not kept),
 * and its scopes. Immutable; {@link #toString()} never shows the hash.
 */
public final class ApiToken {
  private final String id;
  private final byte[] sha256;
  private final Set<Scope> scopes;

  public ApiToken(String id, byte[] sha256, Set<Scope> scopes) {
    if (id == null || id.isEmpty()) {
      throw new ValidationException("id", "is required");
    }
    if (sha256 == null || sha256.length != 32) {
      throw new ValidationException("sha256", "must be 32 bytes");
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new ValidationException("scopes", "is empty (" + Scope.EXPECTED + ")");
    }
    this.id = id;
    this.sha256 = sha256.clone();
    this.scopes = Set.copyOf(scopes);
  }

  public String id() {
    return id;
  }

  public Set<Scope> scopes() {
    return scopes;
  }

  public Caller caller() {
    return new Caller(id, scopes);
  }

  /** Constant-time comparison of a presented secret's digest with this token's. */
  boolean matches(byte[] presentedSha256) {
    return MessageDigest.isEqual(sha256, presentedSha256);
  }

  boolean sameSecret(ApiToken other) {
    return Arrays.equals(sha256, other.sha256);
  }

  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  public static String sha256Hex(String secret) {
    return HexFormat.of().formatHex(sha256(secret));
  }

  @Override
  public String toString() {
    return "ApiToken[" + id + " " + scopes + "]";
  }
}
