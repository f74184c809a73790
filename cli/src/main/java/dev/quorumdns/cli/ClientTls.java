package dev.quorumdns.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's TLS options: {@code --ca FILE} (the cluster CA to trust), {@code --cert FILE} and
 * {@code --key FILE} (a client certificate for mutual TLS; the key in any PEM form, {@code
 * --key-passphrase-file} for an encrypted one), or {@code QUORUMDNS_CA}, {@code QUORUMDNS_CERT},
 * {@code QUORUMDNS_KEY}, {@code QUORUMDNS_KEY_PASSPHRASE_FILE}. Stateless.
 */
final class ClientTls {
  private static final char[] NO_PASSWORD = new char[0];

  private ClientTls() {}

  /** An SSL context for the given options, or null when none is given (plain HTTP). */
  static SSLContext fromOptions(Map<String, List<String>> flags, Map<String, String> env) {
    return context(path(flags, env, "ca"), path(flags, env, "cert"), path(flags, env, "key"));
  }

  /**
   * An SSL context trusting {@code ca} (the JDK's CAs when null), showing {@code cert}/{@code key}
   * if given.
   */
  static SSLContext context(Path ca, Path cert, Path key) {
    return context(ca, cert, key, null);
  }

  /**
   * {@link #context(Path, Path, Path)} with an encrypted key, unlocked by the first line of {@code
   * passphrase}.
   */
  static SSLContext context(Path ca, Path cert, Path key, Path passphrase) {
    if (passphrase != null && key == null) {
      throw new UsageException("key-passphrase-file", "needs --key (the encrypted key it unlocks)");
    }
    if (ca == null && cert == null && key == null) {
      return null;
    }
    if ((cert == null) != (key == null)) {
      throw new UsageException(
          cert == null ? "cert" : "key",
          "is required when --" + (cert == null ? "key" : "cert") + " is given");
    }
    try {
      KeyManager[] kms = null;
      if (cert != null) {
        List<X509Certificate> chain = Pem.certificates(cert);
        PrivateKey pk = Pem.privateKey(key, passphrase);
        if (!matches(pk, chain.get(0))) {
          throw new UsageException("key", key + ": does not match the certificate in " + cert);
        }
        KeyStore ks = emptyStore();
        ks.setKeyEntry("client", pk, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, NO_PASSWORD);
        kms = kmf.getKeyManagers();
      }
      TrustManager[] tms = null;
      if (ca != null) {
        KeyStore ts = emptyStore();
        List<X509Certificate> cas = Pem.certificates(ca);
        for (int i = 0; i < cas.size(); i++) {
          ts.setCertificateEntry("ca" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        tms = tmf.getTrustManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kms, tms, null);
      return ctx;
    } catch (PemException e) {
      throw new UsageException(
          e.file().equals(ca)
              ? "ca"
              : e.file().equals(cert)
                  ? "cert"
                  : e.file().equals(passphrase) ? "key-passphrase-file" : "key",
          e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new UsageException(
          cert != null ? "key" : "ca", "cannot build a TLS context: " + e.getMessage());
    }
  }

  /**
   * Whether {@code key} is the private half of the certificate's public key (signs and verifies a
   * probe).
   */
  static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe = "quorumdns-key-check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return ks;
  }

  private static Path path(Map<String, List<String>> flags, Map<String, String> env, String key) {
    List<String> v = flags.get(key);
    String s =
        v != null && !v.isEmpty()
            ? v.get(v.size() - 1)
            : env.get("QUORUMDNS_" + key.toUpperCase(Locale.ROOT));
    return s == null || s.isBlank() ? null : Path.of(s);
  }
}
