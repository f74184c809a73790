package dev.quorumdns.node.cli;

import dev.quorumdns.node.tls.TlsContexts;
import dev.quorumdns.node.tls.TlsFileException;
import dev.quorumdns.registry.ValidationException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The CLI's TLS options: {@code --ca FILE} (the cluster CA to trust), {@code --cert FILE} and {@code --key FILE}
 * (a client certificate for mutual TLS), or {@code QUORUMDNS_CA}, {@code QUORUMDNS_CERT}, {@code QUORUMDNS_KEY}.
 * Stateless.
 */
final class ClientTls {
  private ClientTls() {}

  /** An SSL context for the given options, or null when none is given (plain HTTP). */
  static SSLContext fromOptions(Map<String, List<String>> flags, Map<String, String> env) {
    Path ca = path(flags, env, "ca");
    Path cert = path(flags, env, "cert");
    Path key = path(flags, env, "key");
    if (ca == null && cert == null && key == null) {
      return null;
    }
    if ((cert == null) != (key == null)) {
      throw new ValidationException(cert == null ? "cert" : "key", "is required when --"
          + (cert == null ? "key" : "cert") + " is given");
    }
    try {
      return TlsContexts.client(ca, cert, key);
    } catch (TlsFileException e) {
      throw new ValidationException(e.file().equals(ca) ? "ca" : e.file().equals(cert) ? "cert" : "key",
          e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new ValidationException("ca", "cannot build a TLS context: " + e.getMessage());
    }
  }

  private static Path path(Map<String, List<String>> flags, Map<String, String> env, String key) {
    List<String> v = flags.get(key);
    String s = v != null && !v.isEmpty() ? v.get(v.size() - 1) : env.get("QUORUMDNS_" + key.toUpperCase(java.util.Locale.ROOT));
    return s == null || s.isBlank() ? null : Path.of(s);
  }
}
