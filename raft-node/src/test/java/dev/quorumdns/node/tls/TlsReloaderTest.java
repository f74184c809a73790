package dev.quorumdns.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.cli.CertificateIssuer;
import dev.quorumdns.node.Await;
import dev.quorumdns.node.config.TlsConfig;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reloading a node's certificate files: new material is picked up, bad files keep the old. */
@Timeout(60)
class TlsReloaderTest {
  @TempDir Path dir;
  private final CertificateIssuer issuer =
      new CertificateIssuer(Clock.systemUTC(), TestRandom.seeded(11));
  private CertificateIssuer.Issued ca;
  private TlsConfig config;

  @BeforeEach
  void issue() throws Exception {
    ca = issuer.newCa("test CA", Duration.ofDays(1));
    PemFiles.write(dir.resolve("ca.pem"), ca.certificatePem(), false);
    writeNode(issuer.issue(ca, "n1", List.of("127.0.0.1"), true, Duration.ofDays(1)));
    config =
        new TlsConfig(
            dir.resolve("n1.pem"),
            dir.resolve("n1-key.pem"),
            dir.resolve("ca.pem"),
            TlsConfig.ClientCerts.REQUIRE,
            Duration.ofMillis(100),
            null);
  }

  private void writeNode(CertificateIssuer.Issued n) throws Exception {
    PemFiles.write(dir.resolve("n1-key.pem"), n.keyPem(), true);
    PemFiles.write(dir.resolve("n1.pem"), n.certificatePem(), false);
  }

  /** The serial a server handshake would present now. */
  private static BigInteger servedSerial(TlsReloader tls) {
    String alias = tls.keyManager().chooseEngineServerAlias("EC", null, null);
    X509Certificate[] chain = tls.keyManager().getCertificateChain(alias);
    return chain[0].getSerialNumber();
  }

  @Test
  void aNewCertificateIsServedAfterTheFilesChange() throws Exception {
    TlsReloader tls = new TlsReloader(config, Clock.systemUTC());
    BigInteger first = servedSerial(tls);
    assertFalse(tls.checkNow(), "nothing changed");
    String oldAlias = tls.keyManager().chooseEngineServerAlias("EC", null, null);
    CertificateIssuer.Issued next =
        issuer.issue(ca, "n1", List.of("127.0.0.1"), true, Duration.ofDays(1));
    writeNode(next);
    assertTrue(tls.checkNow());
    assertEquals(next.certificate().getSerialNumber(), servedSerial(tls));
    assertEquals(next.certificate(), tls.certificate());
    assertEquals(
        first,
        tls.keyManager().getCertificateChain(oldAlias)[0].getSerialNumber(),
        "a handshake that chose its alias before the swap still gets a matching chain");
  }

  @Test
  void aBrokenFileKeepsTheOldMaterial() throws Exception {
    TlsReloader tls = new TlsReloader(config, Clock.systemUTC());
    BigInteger first = servedSerial(tls);
    Files.writeString(
        dir.resolve("n1.pem"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    assertFalse(tls.checkNow());
    assertEquals(first, servedSerial(tls));
    // A key from another certificate: refused too.
    CertificateIssuer.Issued other =
        issuer.issue(ca, "n1", List.of("127.0.0.1"), true, Duration.ofDays(1));
    CertificateIssuer.Issued third =
        issuer.issue(ca, "n1", List.of("127.0.0.1"), true, Duration.ofDays(1));
    PemFiles.write(dir.resolve("n1.pem"), other.certificatePem(), false);
    PemFiles.write(dir.resolve("n1-key.pem"), third.keyPem(), true);
    assertFalse(tls.checkNow());
    assertEquals(first, servedSerial(tls));
    // Fixed files are picked up on the next change.
    PemFiles.write(dir.resolve("n1-key.pem"), other.keyPem(), true);
    assertTrue(tls.checkNow());
    assertEquals(other.certificate().getSerialNumber(), servedSerial(tls));
  }

  @Test
  void aBadFileAtStartIsRefusedNamingIt() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "nothing here");
    TlsFileException e =
        assertThrows(TlsFileException.class, () -> new TlsReloader(config, Clock.systemUTC()));
    assertEquals(dir.resolve("ca.pem"), e.file());
  }

  @Test
  void theWatcherPicksUpChangesOnItsOwn() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (TlsReloader tls = new TlsReloader(config, Clock.systemUTC())) {
      tls.watch(scheduler);
      CertificateIssuer.Issued next =
          issuer.issue(ca, "n1", List.of("127.0.0.1"), true, Duration.ofDays(1));
      writeNode(next);
      Await.until(
          Duration.ofSeconds(10),
          "the new serial to be served",
          () -> next.certificate().getSerialNumber().equals(servedSerial(tls)));
    } finally {
      scheduler.shutdownNow();
    }
  }
}
