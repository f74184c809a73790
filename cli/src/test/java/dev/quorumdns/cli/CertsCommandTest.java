package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quorumdns certs}: files that parse, keys 0600, chains that verify, the usages and names a
 * node needs.
 */
@Timeout(60)
class CertsCommandTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private final CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), seeded(7));

  /**
   * Whether {@code key} is the private half of {@code cert}'s public key (signs and verifies a
   * probe).
   */
  private static boolean matches(PrivateKey key, X509Certificate cert) throws Exception {
    byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(probe);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(cert.getPublicKey());
    v.update(probe);
    return v.verify(sig);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void writesACaAndNodeAndClientCertificatesThatVerify(@TempDir Path dir) throws Exception {
    List<String> out =
        CertsCommand.issue(
            new CertsCommand.Request(
                dir,
                Map.of("n1", List.of("127.0.0.11", "n1"), "n2", List.of("node2.example", "n2")),
                List.of("admin"),
                30),
            issuer);
    assertTrue(out.get(0).startsWith("wrote " + dir.resolve("ca.pem")), out.toString());
    X509Certificate ca = Pem.certificates(dir.resolve("ca.pem")).get(0);
    for (String name : List.of("ca", "n1", "n2", "admin")) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(dir.resolve(name + "-key.pem"))),
          name + "-key.pem");
      X509Certificate cert = Pem.certificates(dir.resolve(name + ".pem")).get(0);
      assertTrue(matches(Pem.privateKey(dir.resolve(name + "-key.pem")), cert), name);
      assertTrue(
          Files.readString(dir.resolve(name + "-key.pem"))
              .startsWith("-----BEGIN PRIVATE KEY-----"));
      verifyChain(cert, ca);
    }
    X509Certificate n1 = Pem.certificates(dir.resolve("n1.pem")).get(0);
    assertEquals(List.of(SERVER_AUTH, CLIENT_AUTH), n1.getExtendedKeyUsage());
    assertEquals(Set.of(List.of(7, "127.0.0.11"), List.of(2, "n1")), sans(n1));
    assertEquals(
        Set.of(List.of(2, "node2.example"), List.of(2, "n2")),
        sans(Pem.certificates(dir.resolve("n2.pem")).get(0)));
    X509Certificate admin = Pem.certificates(dir.resolve("admin.pem")).get(0);
    assertEquals(List.of(CLIENT_AUTH), admin.getExtendedKeyUsage());
    assertEquals(-1, n1.getBasicConstraints(), "a node certificate is not a CA");
    assertEquals(0, ca.getBasicConstraints(), "the CA signs end entities only");
  }

  @Test
  void aSecondRunReusesTheCaAndIssuesNewSerials(@TempDir Path dir) throws Exception {
    CertsCommand.Request req =
        new CertsCommand.Request(dir, Map.of("n1", List.of("127.0.0.11", "n1")), List.of(), 30);
    CertsCommand.issue(req, issuer);
    X509Certificate ca1 = Pem.certificates(dir.resolve("ca.pem")).get(0);
    X509Certificate first = Pem.certificates(dir.resolve("n1.pem")).get(0);
    List<String> out = CertsCommand.issue(req, issuer);
    assertTrue(out.get(0).startsWith("reusing CA"), out.toString());
    assertEquals(ca1, Pem.certificates(dir.resolve("ca.pem")).get(0));
    X509Certificate second = Pem.certificates(dir.resolve("n1.pem")).get(0);
    assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
    verifyChain(second, ca1);
  }

  /** Runs {@code quorumdns certs ...}; returns the exit code and what went to stderr. */
  private static String certs(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = new String[args.length + 1];
    all[0] = "certs";
    System.arraycopy(args, 0, all, 1, args.length);
    int code =
        Main.run(
            all,
            Map.of(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return code + " " + err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void badArgumentsNameTheFlag(@TempDir Path dir) {
    String out = dir.resolve("x").toString();
    assertTrue(
        certs("--out", out, "--nodes", "n1").startsWith("2 quorumdns: nodes: 'n1'"),
        certs("--out", out, "--nodes", "n1"));
    assertTrue(
        certs("--nodes", "n1=127.0.0.11")
            .startsWith("2 quorumdns: Missing required option: '--out"),
        certs("--nodes", "n1=127.0.0.11"));
    assertTrue(
        certs("--out", out, "--nodes", "n1=h", "--bogus", "1")
            .startsWith("2 quorumdns: Unknown options: " + "'--bogus', '1'"),
        certs("--out", out, "--nodes", "n1=h", "--bogus", "1"));
    assertTrue(
        certs("--out", out, "--nodes", "n1=h", "--days", "0").startsWith("2 quorumdns: days: 0"));
    assertTrue(certs("--out", out).startsWith("2 quorumdns: nodes: is required"));
    assertFalse(Files.exists(dir.resolve("x")), "nothing written");
    assertEquals(
        "days",
        assertThrows(
                UsageException.class,
                () ->
                    new CertsCommand.Request(
                        Path.of("x"), Map.of("n1", List.of("h")), List.of(), 0))
            .field());
    assertEquals(
        "nodes",
        assertThrows(
                UsageException.class,
                () -> new CertsCommand.Request(Path.of("x"), Map.of(), List.of(), 1))
            .field());
  }

  @Test
  void aKeyInTheWrongFormatIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("k.pem");
    Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    PemException e = assertThrows(PemException.class, () -> Pem.privateKey(key));
    assertTrue(
        e.getMessage().startsWith(key.toString())
            && e.getMessage().contains("not a valid PEM private key"),
        e.getMessage());
    Path cert = dir.resolve("c.pem");
    Files.writeString(cert, "not a certificate");
    assertTrue(
        assertThrows(PemException.class, () -> Pem.certificates(cert))
            .getMessage()
            .startsWith(cert.toString()));
  }

  private static Set<List<Object>> sans(X509Certificate c) throws Exception {
    Set<List<Object>> out = new HashSet<>();
    for (List<?> san : c.getSubjectAlternativeNames()) {
      out.add(new ArrayList<>(san));
    }
    return out;
  }

  private static void verifyChain(X509Certificate cert, X509Certificate ca) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
  }
}
