package dev.quorumdns.cli;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a CA and certificates signed by it (EC P-256, SHA-256 with ECDSA), for {@code quorumdns
 * certs} and for tests. Node certificates carry both the serverAuth and clientAuth key usages (a
 * member is a TLS server and a client of the other members) and the node's addresses and names as
 * subject alternative names. Stateless; randomness and time come from the caller.
 */
public final class CertificateIssuer {
  private final Clock clock;
  private final SecureRandom random;

  public CertificateIssuer(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.random = random;
  }

  /** A key and its certificate. Immutable. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    public String certificatePem() {
      try {
        return Pem.encode("CERTIFICATE", List.of(certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public String keyPem() {
      return Pem.encode("PRIVATE KEY", List.of(key.getEncoded()));
    }
  }

  /**
   * Eight random hex digits, to tell CAs with the same name apart (in logs and in openssl output).
   */
  public String randomTag() {
    return String.format("%08x", random.nextInt());
  }

  /** A self-signed CA that may sign end-entity certificates only (path length 0). */
  public Issued newCa(String commonName, Duration validity) throws GeneralSecurityException {
    KeyPair kp = keyPair();
    X500Name name = name(commonName);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          builder(name, name, validity, kp)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new Issued(sign(b, kp.getPrivate()), kp.getPrivate());
    } catch (CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /**
   * A certificate signed by {@code ca}.
   *
   * @param hosts IP addresses and DNS names put in the subject alternative names (may be empty)
   * @param server whether it may be used as a TLS server (serverAuth); every certificate may be a
   *     client
   */
  public Issued issue(
      Issued ca, String commonName, List<String> hosts, boolean server, Duration validity)
      throws GeneralSecurityException {
    KeyPair kp = keyPair();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          builder(
                  X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                  name(commonName),
                  validity,
                  kp)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  server
                      ? new ExtendedKeyUsage(
                          new KeyPurposeId[] {
                            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                          })
                      : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(kp.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(ca.certificate()));
      if (!hosts.isEmpty()) {
        List<GeneralName> names = new ArrayList<>();
        for (String h : hosts) {
          names.add(
              Names.looksLikeIp(h)
                  ? new GeneralName(GeneralName.iPAddress, h)
                  : new GeneralName(GeneralName.dNSName, h));
        }
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(new GeneralName[0])));
      }
      return new Issued(sign(b, ca.key()), kp.getPrivate());
    } catch (CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, Duration validity, KeyPair kp) {
    Instant now = clock.instant();
    BigInteger serial = new BigInteger(127, random).setBit(126);
    return new JcaX509v3CertificateBuilder(
        issuer,
        serial,
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(validity)),
        subject,
        kp.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    return g.generateKeyPair();
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "QuorumDNS")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }
}
