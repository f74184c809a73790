package dev.quorumdns.cli;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Private keys from PEM text with BouncyCastle's parser: PKCS#8, PKCS#1 (RSA), SEC1 (EC) and
 * encrypted PKCS#8 or OpenSSL-encrypted PKCS#1/SEC1, decrypted with a passphrase file. Errors name
 * the key file (or the passphrase file when it cannot be read) and say what to do. The client's own
 * copy of the node's reader (the CLI imports no project module). Stateless.
 */
final class PemKeys {
  private static final String KINDS =
      "PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY";

  private PemKeys() {}

  static PrivateKey read(Path file, String text, Path passphraseFile) throws PemException {
    PrivateKey key = decode(file, text, passphraseFile);
    if (key instanceof RSAPrivateCrtKey rsa && !consistent(rsa)) {
      throw new PemException(file, "holds an RSA key whose parts do not agree (a damaged key)");
    }
    return key;
  }

  private static PrivateKey decode(Path file, String text, Path passphraseFile)
      throws PemException {
    List<Object> keys = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo
            || o instanceof PEMKeyPair
            || o instanceof PKCS8EncryptedPrivateKeyInfo
            || o instanceof PEMEncryptedKeyPair) {
          keys.add(o);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new PemException(file, "not a valid PEM private key (" + reason(e) + ")");
    }
    if (keys.size() != 1) {
      throw new PemException(
          file, "holds " + keys.size() + " PEM private keys (expected: exactly one " + KINDS + ")");
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    Object key = keys.get(0);
    try {
      if (key instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (key instanceof PEMKeyPair pair) {
        // Not getKeyPair: a SEC1 key need not carry its public key.
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
    } catch (IOException | RuntimeException e) {
      throw new PemException(file, "holds a private key that cannot be used (" + reason(e) + ")");
    }
    char[] passphrase = passphrase(file, passphraseFile);
    // The JDK lacks some ciphers and key derivations openssl uses (AES/CBC/PKCS7Padding, OpenSSL's
    // own KDF):
    // BouncyCastle's provider, used here only and never installed JVM-wide.
    Provider bc = new BouncyCastleProvider();
    try {
      if (key instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
        return converter.getPrivateKey(
            encrypted.decryptPrivateKeyInfo(
                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc).build(passphrase)));
      }
      PEMEncryptedKeyPair encrypted = (PEMEncryptedKeyPair) key;
      return converter.getPrivateKey(
          encrypted
              .decryptKeyPair(
                  new JcePEMDecryptorProviderBuilder().setProvider(bc).build(passphrase))
              .getPrivateKeyInfo());
    } catch (Exception e) {
      throw new PemException(
          file,
          "cannot be decrypted with the passphrase in "
              + passphraseFile
              + " (wrong passphrase, or a damaged key: "
              + reason(e)
              + ")");
    }
  }

  /**
   * Whether an RSA key's parts agree: n = pq and the exponents invert e. The JDK signs with the CRT
   * parts only, so a damaged modulus or private exponent would otherwise go unnoticed.
   */
  static boolean consistent(RSAPrivateCrtKey k) {
    BigInteger one = BigInteger.ONE;
    BigInteger p = k.getPrimeP();
    BigInteger q = k.getPrimeQ();
    BigInteger e = k.getPublicExponent();
    if (p == null
        || q == null
        || e == null
        || p.signum() <= 0
        || q.signum() <= 0
        || e.signum() <= 0) {
      return false;
    }
    BigInteger p1 = p.subtract(one);
    BigInteger q1 = q.subtract(one);
    BigInteger lambda = p1.multiply(q1).divide(p1.gcd(q1));
    return p.multiply(q).equals(k.getModulus())
        && e.multiply(k.getPrivateExponent()).mod(lambda).equals(one)
        && e.multiply(k.getPrimeExponentP()).mod(p1).equals(one)
        && e.multiply(k.getPrimeExponentQ()).mod(q1).equals(one)
        && q.multiply(k.getCrtCoefficient()).mod(p).equals(one);
  }

  /** The first line of the passphrase file; an encrypted key without one is refused. */
  private static char[] passphrase(Path keyFile, Path passphraseFile) throws PemException {
    if (passphraseFile == null) {
      throw new PemException(
          keyFile,
          "is encrypted; give the file holding its passphrase with "
              + "--key-passphrase-file (or $QUORUMDNS_KEY_PASSPHRASE_FILE)");
    }
    String text;
    try {
      text = Files.readString(passphraseFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PemException(passphraseFile, "cannot read the passphrase of " + keyFile + ": " + e);
    }
    String line = text.lines().findFirst().orElse("");
    if (line.isEmpty()) {
      throw new PemException(
          passphraseFile,
          "is empty (expected: the passphrase of " + keyFile + " on its first line)");
    }
    return line.toCharArray();
  }

  private static String reason(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
