package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The node's TLS files. With {@code cert} and {@code key} the HTTP API speaks HTTPS only; with
 * {@code ca} as well, API clients must present a certificate signed by that CA (unless {@code
 * apiClientCerts} is {@link ClientCerts#OPTIONAL}) and Raft traffic between members is mutual TLS.
 * Immutable.
 *
 * @param key the private key (PEM: PKCS#8, PKCS#1, SEC1, or encrypted)
 * @param ca PEM bundle of the cluster CA, or null
 * @param reloadInterval how often the files are checked for changes (mtime and size)
 * @param keyPassphraseFile the file whose first line is the passphrase of an encrypted key, or null
 */
public record TlsConfig(
    Path cert,
    Path key,
    Path ca,
    ClientCerts apiClientCerts,
    Duration reloadInterval,
    Path keyPassphraseFile) {

  /** Whether the API asks for client certificates. */
  public enum ClientCerts {
    NONE,
    OPTIONAL,
    REQUIRE
  }

  public TlsConfig {
    if (cert == null || key == null) {
      throw new ValidationException(
          cert == null ? "tls-cert" : "tls-key",
          "is required when " + (cert == null ? "tls-key" : "tls-cert") + " is given");
    }
    if (ca == null && apiClientCerts != ClientCerts.NONE) {
      throw new ValidationException(
          "api-client-certs", "needs tls-ca (the CA that signs client certificates)");
    }
    if (ca != null && apiClientCerts == ClientCerts.NONE) {
      throw new ValidationException(
          "api-client-certs", "none with tls-ca (expected: require or optional)");
    }
    if (reloadInterval.compareTo(Duration.ofMillis(100)) < 0
        || reloadInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new ValidationException(
          "tls-reload-interval", reloadInterval.toMillis() + "ms (expected: 100ms..1h)");
    }
  }

  /** Raft runs over mutual TLS when the node has a certificate, a key and the cluster CA. */
  public boolean raftTls() {
    return ca != null;
  }

  /**
   * The TLS settings in {@code s}, or null when none of them is given (plain HTTP and plain Raft).
   */
  public static TlsConfig from(Settings s) {
    boolean any =
        s.has("tls-cert")
            || s.has("tls-key")
            || s.has("tls-ca")
            || s.has("api-client-certs")
            || s.has("tls-key-passphrase-file");
    if (!any) {
      return null;
    }
    if (s.has("tls-key-passphrase-file") && !s.has("tls-key")) {
      throw new ValidationException(
          "tls-key-passphrase-file", "needs tls-key (the encrypted key it unlocks)");
    }
    if (s.has("tls-ca") && !s.has("tls-cert") && !s.has("tls-key")) {
      throw new ValidationException(
          "tls-ca", "needs tls-cert and tls-key (this node's own certificate)");
    }
    Path ca = s.has("tls-ca") ? Path.of(s.string("tls-ca", null)) : null;
    ClientCerts clientCerts;
    String mode =
        s.string("api-client-certs", ca == null ? "none" : "require").toLowerCase(Locale.ROOT);
    switch (mode) {
      case "require" -> clientCerts = ClientCerts.REQUIRE;
      case "optional" -> clientCerts = ClientCerts.OPTIONAL;
      case "none" -> clientCerts = ClientCerts.NONE;
      default ->
          throw new ValidationException(
              "api-client-certs", "'" + mode + "' (expected: require or optional)");
    }
    return new TlsConfig(
        path(s, "tls-cert"),
        path(s, "tls-key"),
        ca,
        clientCerts,
        s.duration("tls-reload-interval", Duration.ofSeconds(5)),
        path(s, "tls-key-passphrase-file"));
  }

  private static Path path(Settings s, String key) {
    return s.has(key) ? Path.of(s.string(key, null)) : null;
  }
}
