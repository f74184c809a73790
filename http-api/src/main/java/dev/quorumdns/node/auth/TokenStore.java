package dev.quorumdns.node.auth;

import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens in force, loaded from the token file and reloaded when its content changes. A file
 * that is broken on reload leaves the tokens in force unchanged and logs why, once per broken
 * version. Secrets are compared by their SHA-256, in constant time, and never logged.
 *
 * <p>Thread-safe: {@link #authenticate} may be called from any thread; reloads run on the executor
 * given to {@link #watch} (or the caller of {@link #reloadIfChanged}).
 */
public final class TokenStore {
  public static final Duration RELOAD_EVERY = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
  private final Path file;
  private volatile List<ApiToken> tokens;
  private byte[] lastSeen;
  private boolean missingLogged;

  private TokenStore(Path file, List<ApiToken> tokens, byte[] digest) {
    this.file = file;
    this.tokens = tokens;
    this.lastSeen = digest;
  }

  /**
   * Loads {@code file} at start: refuses loose permissions and any error, naming the file, line and
   * field.
   */
  public static TokenStore load(Path file) {
    TokenFile.checkPermissions(file);
    byte[] content = readBytes(file);
    TokenStore s =
        new TokenStore(file, TokenFile.parse(file, content), digest(content, permissions(file)));
    LOG.info("token-file {}: {} tokens loaded {}", file, s.tokens.size(), ids(s.tokens));
    return s;
  }

  /** A store of one fixed token that never reloads (the legacy {@code --api-token-file}). */
  public static TokenStore fixed(Path file, ApiToken token) {
    return new TokenStore(file, List.of(token), null);
  }

  public Path file() {
    return file;
  }

  public List<ApiToken> tokens() {
    return tokens;
  }

  /**
   * The caller whose token's secret is {@code secret}, or null. Takes the same time whichever token
   * matches.
   */
  @SuppressWarnings(
      "ShortCircuitBoolean") // & on purpose: every token is compared, whichever one matches
  public Caller authenticate(String secret) {
    byte[] presented = ApiToken.sha256(secret);
    ApiToken found = null;
    for (ApiToken t : tokens) {
      if (t.matches(presented) & found == null) {
        found = t;
      }
    }
    return found == null ? null : found.caller();
  }

  /** Checks the file every {@code every} on {@code executor}. */
  public void watch(ScheduledExecutorService executor, Duration every) {
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            reloadIfChanged();
          } catch (RuntimeException e) {
            LOG.error(
                "token-file {}: reload failed, the tokens in force stay: {}", file, e.toString());
          }
        },
        every.toMillis(),
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Reloads the file if its content changed since the last look; true if new tokens are now in
   * force.
   */
  public synchronized boolean reloadIfChanged() {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
      missingLogged = false;
    } catch (IOException e) {
      if (!missingLogged) {
        LOG.error(
            "token-file {} cannot be read ({}); the {} tokens in force stay",
            file,
            e.toString(),
            tokens.size());
        missingLogged = true;
      }
      return false;
    }
    // The permissions are part of what was seen, so fixing them alone brings a refused version in.
    byte[] digest = digest(content, permissions(file));
    if (MessageDigest.isEqual(digest, lastSeen)) {
      return false;
    }
    lastSeen = digest;
    try {
      TokenFile.checkPermissions(file);
      List<ApiToken> fresh = TokenFile.parse(file, content);
      tokens = fresh;
      LOG.info("token-file {} reloaded: {} tokens {}", file, fresh.size(), ids(fresh));
      return true;
    } catch (ValidationException e) {
      LOG.error(
          "token-file not reloaded, the {} tokens in force stay: {}",
          tokens.size(),
          e.getMessage());
      return false;
    }
  }

  private static List<String> ids(List<ApiToken> tokens) {
    return tokens.stream().map(ApiToken::id).toList();
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ValidationException(TokenFile.KEY, "cannot read " + file + ": " + e);
    }
  }

  private static String permissions(Path file) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    } catch (IOException | UnsupportedOperationException e) {
      return "";
    }
  }

  private static byte[] digest(byte[] content, String permissions) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(content);
      return d.digest(permissions.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "TokenStore[" + file + ", " + tokens.size() + " tokens]";
  }
}
