package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client's {@code --key} in every PEM form (written here with BouncyCastle, as openssl and
 * cert-manager write them): each is shown in a mutual-TLS handshake with a server that requires a
 * client certificate; a wrong passphrase, a missing one and a damaged key are usage errors naming
 * the option and the file.
 */
@Timeout(60)
class ClientKeyFormatsTest {
  private static final String PASSPHRASE = "correct horse battery staple";

  /** A key form and the key type it holds. */
  enum Form {
    RSA_PKCS1,
    RSA_PKCS8,
    RSA_PKCS8_ENCRYPTED,
    RSA_PKCS1_ENCRYPTED,
    EC_SEC1,
    EC_PKCS8,
    EC_PKCS8_ENCRYPTED
  }

  @TempDir static Path dir;
  private static CertificateIssuer.Issued ca;
  private static CertificateIssuer.Issued server;
  private static KeyPair rsa;
  private static KeyPair ec;
  private static Path pass;

  @BeforeAll
  static void makeKeys() throws Exception {
    CertificateIssuer issuer =
        new CertificateIssuer(Clock.systemUTC(), CertsCommandTest.seeded(31));
    ca = issuer.newCa("client test CA", Duration.ofDays(1));
    server = issuer.issue(ca, "n1", List.of("127.0.0.1"), true, Duration.ofDays(1));
    Pem.write(dir.resolve("ca.pem"), ca.certificatePem(), false);
    KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
    r.initialize(2048, CertsCommandTest.seeded(32));
    rsa = r.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"), CertsCommandTest.seeded(33));
    ec = e.generateKeyPair();
    pass = dir.resolve("pass");
    Files.writeString(pass, PASSPHRASE + "\n");
    BouncyCastleProvider bc = new BouncyCastleProvider();
    for (Form f : Form.values()) {
      KeyPair kp = f.name().startsWith("RSA") ? rsa : ec;
      PemObjectGenerator pem =
          switch (f) {
            case RSA_PKCS1 -> new JcaMiscPEMGenerator(kp.getPrivate());
            case EC_SEC1 -> sec1WithoutPublicKey(kp.getPrivate());
            case RSA_PKCS8, EC_PKCS8 -> new JcaPKCS8Generator(kp.getPrivate(), null);
            case RSA_PKCS8_ENCRYPTED, EC_PKCS8_ENCRYPTED ->
                new JcaPKCS8Generator(
                    kp.getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(bc)
                        .setRandom(CertsCommandTest.seeded(34))
                        .setPassword(PASSPHRASE.toCharArray())
                        .build());
            case RSA_PKCS1_ENCRYPTED ->
                new JcaMiscPEMGenerator(
                    kp.getPrivate(),
                    new JcePEMEncryptorBuilder("AES-256-CBC")
                        .setProvider(bc)
                        .setSecureRandom(CertsCommandTest.seeded(35))
                        .build(PASSPHRASE.toCharArray()));
          };
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(pem);
      }
      Pem.write(key(f), w.toString(), true);
    }
    Pem.write(
        dir.resolve("rsa.pem"),
        Pem.encode("CERTIFICATE", List.of(sign("client-rsa", rsa).getEncoded())),
        false);
    Pem.write(
        dir.resolve("ec.pem"),
        Pem.encode("CERTIFICATE", List.of(sign("client-ec", ec).getEncoded())),
        false);
  }

  /**
   * SEC1 as RFC 5915 allows it: the curve named inside, the optional public key left out
   * (BouncyCastle's own writer would leave out the curve, which no reader accepts).
   */
  private static PemObjectGenerator sec1WithoutPublicKey(PrivateKey key) {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
    byte[] der;
    try {
      der =
          new ECPrivateKey(256, ECPrivateKey.getInstance(info.parsePrivateKey()).getKey(), curve)
              .getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return () -> new PemObject("EC PRIVATE KEY", der);
  }

  private static Path key(Form f) {
    return dir.resolve(f.name().toLowerCase() + ".pem");
  }

  private static Path cert(Form f) {
    return dir.resolve(f.name().startsWith("RSA") ? "rsa.pem" : "ec.pem");
  }

  private static Path passFor(Form f) {
    return f.name().endsWith("ENCRYPTED") ? pass : null;
  }

  /** A client certificate for {@code kp} signed by the test CA. */
  private static X509Certificate sign(String cn, KeyPair kp) throws Exception {
    Instant now = Instant.now();
    return new JcaX509CertificateConverter()
        .getCertificate(
            new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(cn.length()),
                    Date.from(now.minusSeconds(300)),
                    Date.from(now.plus(Duration.ofDays(1))),
                    new X500Name("CN=" + cn),
                    kp.getPublic())
                .addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
  }

  /** A node's API: the server certificate, client certificates signed by the CA required. */
  private static SSLEngine serverEngine() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("n1", server.key(), new char[0], new X509Certificate[] {server.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLEngine e = ctx.createSSLEngine();
    e.setNeedClientAuth(true);
    return e;
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void everyFormIsShownInAMutualTlsHandshake(Form form) throws Exception {
    String text = Files.readString(key(form));
    assertTrue(
        text.contains(
            switch (form) {
              case RSA_PKCS1 -> "BEGIN RSA PRIVATE KEY";
              case EC_SEC1 -> "BEGIN EC PRIVATE KEY";
              case RSA_PKCS8, EC_PKCS8 -> "BEGIN PRIVATE KEY";
              case RSA_PKCS8_ENCRYPTED, EC_PKCS8_ENCRYPTED -> "BEGIN ENCRYPTED PRIVATE KEY";
              case RSA_PKCS1_ENCRYPTED -> "Proc-Type: 4,ENCRYPTED";
            }),
        text);
    SSLEngine client =
        ClientTls.context(dir.resolve("ca.pem"), cert(form), key(form), passFor(form))
            .createSSLEngine("127.0.0.1", 8053);
    SSLEngine node = serverEngine();
    InMemoryHandshake.run(client, node);
    assertEquals(Pem.certificates(cert(form)).get(0), node.getSession().getPeerCertificates()[0]);
  }

  @Test
  void aWrongOrMissingPassphraseIsABadKeyNamingTheFile() throws Exception {
    Path wrong = dir.resolve("wrong");
    Files.writeString(wrong, "guess\n");
    Path ca = dir.resolve("ca.pem");
    for (Form f :
        List.of(Form.RSA_PKCS8_ENCRYPTED, Form.RSA_PKCS1_ENCRYPTED, Form.EC_PKCS8_ENCRYPTED)) {
      UsageException bad =
          assertThrows(UsageException.class, () -> ClientTls.context(ca, cert(f), key(f), wrong));
      assertEquals("key", bad.field());
      assertTrue(
          bad.getMessage()
              .contains(key(f) + ": cannot be decrypted with the passphrase in " + wrong),
          bad.getMessage());
      UsageException none =
          assertThrows(UsageException.class, () -> ClientTls.context(ca, cert(f), key(f), null));
      assertEquals("key", none.field());
      assertTrue(none.getMessage().contains("--key-passphrase-file"), none.getMessage());
    }
    UsageException alone =
        assertThrows(UsageException.class, () -> ClientTls.context(ca, null, null, pass));
    assertEquals("key-passphrase-file", alone.field());
    Path missing = dir.resolve("missing-pass");
    assertEquals(
        "key-passphrase-file",
        assertThrows(
                UsageException.class,
                () ->
                    ClientTls.context(
                        ca, cert(Form.EC_PKCS8_ENCRYPTED), key(Form.EC_PKCS8_ENCRYPTED), missing))
            .field());
  }

  @Test
  void aDamagedKeyIsRefusedNamingTheFile() throws Exception {
    for (Form f : List.of(Form.RSA_PKCS1, Form.EC_SEC1, Form.EC_PKCS8)) {
      String text = Files.readString(key(f));
      Path bad = dir.resolve("bad-" + f.name() + ".pem");
      int body = text.indexOf('\n') + 1;
      Files.writeString(
          bad,
          text.substring(0, body + 20) + "AAAAAAAAAAAAAAAAAAAAAAAA" + text.substring(body + 44));
      UsageException e =
          assertThrows(
              UsageException.class,
              () -> ClientTls.context(dir.resolve("ca.pem"), cert(f), bad, null),
              f.name());
      assertEquals("key", e.field());
      assertTrue(e.getMessage().startsWith("key: " + bad), e.getMessage());
    }
    UsageException other =
        assertThrows(
            UsageException.class,
            () ->
                ClientTls.context(
                    dir.resolve("ca.pem"), cert(Form.RSA_PKCS8), key(Form.EC_PKCS8), null));
    assertEquals(
        "key: "
            + key(Form.EC_PKCS8)
            + ": does not match the certificate in "
            + cert(Form.RSA_PKCS8),
        other.getMessage());
  }

  @Test
  void theCommandLineTakesThePassphraseFileAndRefusesAnEncryptedKeyWithoutIt() throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {
              "status",
              "--server",
              "https://127.210.0.1:1",
              "--ca",
              dir.resolve("ca.pem").toString(),
              "--cert",
              cert(Form.EC_PKCS8_ENCRYPTED).toString(),
              "--key",
              key(Form.EC_PKCS8_ENCRYPTED).toString()
            },
            Map.of(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    assertEquals(Main.USAGE, code, err.toString(StandardCharsets.UTF_8));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("is encrypted"),
        err.toString(StandardCharsets.UTF_8));
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    int reached =
        Main.run(
            new String[] {
              "status",
              "--server",
              "https://127.210.0.1:1",
              "--ca",
              dir.resolve("ca.pem").toString(),
              "--cert",
              cert(Form.EC_PKCS8_ENCRYPTED).toString(),
              "--key",
              key(Form.EC_PKCS8_ENCRYPTED).toString()
            },
            Map.of("QUORUMDNS_KEY_PASSPHRASE_FILE", pass.toString()),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err2, true, StandardCharsets.UTF_8),
            false);
    assertEquals(
        Main.FAILED, reached, "the key opened, so the client tried the (absent) server: " + err2);
  }
}
