package dev.quorumdns.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes PEM files: X.509 certificates ({@code CERTIFICATE} blocks) and private keys
 * (PKCS#8, PKCS#1, SEC1, encrypted; {@link PemKeys}). Errors name the file. Stateless.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private Pem() {}

  /** Every certificate in {@code file}, in file order; at least one. */
  public static List<X509Certificate> certificates(Path file) throws PemException {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : blocks(file, "CERTIFICATE")) {
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (CertificateException e) {
      throw new PemException(file, "not a valid X.509 certificate: " + e.getMessage());
    }
    if (out.isEmpty()) {
      throw new PemException(file, "holds no PEM CERTIFICATE block");
    }
    return out;
  }

  /** The one unencrypted private key in {@code file} (see {@link #privateKey(Path, Path)}). */
  public static PrivateKey privateKey(Path file) throws PemException {
    return privateKey(file, null);
  }

  /**
   * The one private key in {@code file}: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE
   * KEY}), SEC1 ({@code EC PRIVATE KEY}) or encrypted, unlocked by the first line of {@code
   * passphraseFile} (may be null).
   */
  public static PrivateKey privateKey(Path file, Path passphraseFile) throws PemException {
    return PemKeys.read(file, text(file), passphraseFile);
  }

  /** PEM text of {@code type} blocks (64-column base64). */
  public static String encode(String type, List<byte[]> ders) {
    StringBuilder b = new StringBuilder();
    Base64.Encoder enc = Base64.getMimeEncoder(64, new byte[] {'\n'});
    for (byte[] der : ders) {
      b.append("-----BEGIN ")
          .append(type)
          .append("-----\n")
          .append(enc.encodeToString(der))
          .append("\n-----END ")
          .append(type)
          .append("-----\n");
    }
    return b.toString();
  }

  /**
   * Writes {@code text} to {@code file} through a temporary file and a rename, so a reader never
   * sees half a file; with {@code secret} the file is created 0600.
   */
  public static void write(Path file, String text, boolean secret) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp =
        Files.createTempFile(
            dir,
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
    try {
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static List<byte[]> blocks(Path file, String type) throws PemException {
    List<byte[]> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text(file));
    while (m.find()) {
      if (m.group(1).equals(type)) {
        try {
          out.add(Base64.getMimeDecoder().decode(m.group(2)));
        } catch (IllegalArgumentException e) {
          throw new PemException(file, "a " + type + " block is not valid base64");
        }
      }
    }
    return out;
  }

  private static String text(Path file) throws PemException {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new PemException(file, "cannot read: " + e);
    }
  }
}
