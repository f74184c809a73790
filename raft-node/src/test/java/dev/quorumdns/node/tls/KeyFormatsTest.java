package dev.quorumdns.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node's key in every PEM form openssl and cert-manager write (PKCS#8, PKCS#1, SEC1, encrypted
 * with a passphrase file): loaded, and used in a TLS handshake as the API's server key and as
 * Raft's key on both ends of a mutual-TLS connection. Bad keys are refused naming the file.
 */
@Timeout(120)
class KeyFormatsTest {
  @TempDir static Path dir;
  private static OpenSslKeys keys;

  @BeforeAll
  static void makeKeys() throws Exception {
    keys = OpenSslKeys.make(dir);
  }

  private static TlsConfig config(OpenSslKeys.Form f) {
    return new TlsConfig(
        keys.cert(f),
        keys.key(f),
        keys.ca(),
        TlsConfig.ClientCerts.REQUIRE,
        Duration.ofSeconds(5),
        keys.passphrase(f));
  }

  /**
   * Raft's side of a connection: the key and trust managers Ratis is given ({@link
   * TlsContexts#raft}).
   */
  private static SSLEngine raftEngine(TlsReloader tls) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        new KeyManager[] {tls.keyManager()},
        new TrustManager[] {new PeerLoggingTrustManager(tls.trustManager())},
        null);
    SSLEngine e = ctx.createSSLEngine("127.0.0.1", 9053);
    e.setNeedClientAuth(true);
    return e;
  }

  @ParameterizedTest
  @EnumSource(OpenSslKeys.Form.class)
  void everyFormServesTheApiAndRaftOverMutualTls(OpenSslKeys.Form form) throws Exception {
    assertTrue(
        keys.text(form)
            .contains(
                switch (form) {
                  case RSA_PKCS8, EC_PKCS8 -> "-----BEGIN PRIVATE KEY-----";
                  case RSA_PKCS1 -> "-----BEGIN RSA PRIVATE KEY-----";
                  case EC_SEC1 -> "-----BEGIN EC PRIVATE KEY-----";
                  case RSA_PKCS1_ENCRYPTED -> "Proc-Type: 4,ENCRYPTED";
                  case RSA_PKCS8_ENCRYPTED, EC_PKCS8_ENCRYPTED, EC_PKCS8_ENCRYPTED_LEGACY ->
                      "-----BEGIN ENCRYPTED PRIVATE KEY";
                }),
        "openssl wrote the form under test");
    TlsReloader node = new TlsReloader(config(form), Clock.systemUTC());
    X509Certificate cert = PemFiles.certificates(keys.cert(form)).get(0);
    assertEquals(cert, node.certificate());
    // The peer uses the other key type, so both kinds meet.
    OpenSslKeys.Form peerForm =
        form.cert.equals("rsa") ? OpenSslKeys.Form.EC_PKCS8 : OpenSslKeys.Form.RSA_PKCS8;
    TlsReloader peer = new TlsReloader(config(peerForm), Clock.systemUTC());

    SSLEngine api = TlsContexts.apiServer(node).newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine cli =
        TlsContexts.client(keys.ca(), keys.cert(peerForm), keys.key(peerForm), null)
            .createSSLEngine("127.0.0.1", 8053);
    InMemoryHandshake.run(cli, api);
    assertEquals(
        cert,
        cli.getSession().getPeerCertificates()[0],
        "the API presented this key's certificate");

    SSLEngine raftClient = raftEngine(node);
    SSLEngine raftServer = raftEngine(peer);
    InMemoryHandshake.run(raftClient, raftServer);
    assertEquals(
        cert, raftServer.getSession().getPeerCertificates()[0], "this node, as a Raft client");

    SSLEngine asServer = raftEngine(node);
    InMemoryHandshake.run(raftEngine(peer), asServer);
    assertEquals(
        cert, asServer.getSession().getLocalCertificates()[0], "this node, as a Raft server");
  }

  @ParameterizedTest
  @EnumSource(
      value = OpenSslKeys.Form.class,
      names = {"RSA_PKCS1", "EC_SEC1", "EC_PKCS8_ENCRYPTED"})
  void aClientKeyInEveryFormIsShown(OpenSslKeys.Form form) throws Exception {
    TlsReloader node = new TlsReloader(config(OpenSslKeys.Form.EC_PKCS8), Clock.systemUTC());
    SSLEngine api = TlsContexts.apiServer(node).newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine cli =
        TlsContexts.client(keys.ca(), keys.cert(form), keys.key(form), keys.passphrase(form))
            .createSSLEngine("127.0.0.1", 8053);
    InMemoryHandshake.run(cli, api);
    assertEquals(
        PemFiles.certificates(keys.cert(form)).get(0), api.getSession().getPeerCertificates()[0]);
  }

  @Test
  void aWrongPassphraseIsRefusedNamingTheKey() throws Exception {
    Path wrong = dir.resolve("wrong-pass");
    Files.writeString(wrong, "not the passphrase\n");
    for (OpenSslKeys.Form f : OpenSslKeys.Form.values()) {
      if (!f.encrypted) {
        continue;
      }
      TlsConfig c =
          new TlsConfig(
              keys.cert(f),
              keys.key(f),
              keys.ca(),
              TlsConfig.ClientCerts.REQUIRE,
              Duration.ofSeconds(5),
              wrong);
      TlsFileException e =
          assertThrows(
              TlsFileException.class, () -> new TlsReloader(c, Clock.systemUTC()), f.name());
      assertEquals(keys.key(f), e.file(), e.getMessage());
      assertTrue(
          e.getMessage().contains("cannot be decrypted with the passphrase in " + wrong),
          e.getMessage());
    }
  }

  @Test
  void anEncryptedKeyWithoutItsPassphraseFileSaysWhatIsMissing() {
    TlsConfig c =
        new TlsConfig(
            keys.cert(OpenSslKeys.Form.EC_PKCS8_ENCRYPTED),
            keys.key(OpenSslKeys.Form.EC_PKCS8_ENCRYPTED),
            keys.ca(),
            TlsConfig.ClientCerts.REQUIRE,
            Duration.ofSeconds(5),
            null);
    TlsFileException e =
        assertThrows(TlsFileException.class, () -> new TlsReloader(c, Clock.systemUTC()));
    assertEquals(keys.key(OpenSslKeys.Form.EC_PKCS8_ENCRYPTED), e.file());
    assertTrue(
        e.getMessage().contains("is encrypted")
            && e.getMessage().contains("tls-key-passphrase-file"),
        e.getMessage());
    Path missing = dir.resolve("no-such-pass");
    TlsFileException m =
        assertThrows(
            TlsFileException.class,
            () -> PemFiles.privateKey(keys.key(OpenSslKeys.Form.EC_PKCS8_ENCRYPTED), missing));
    assertEquals(missing, m.file(), m.getMessage());
  }

  @ParameterizedTest
  @EnumSource(
      value = OpenSslKeys.Form.class,
      names = {"RSA_PKCS1", "EC_SEC1", "EC_PKCS8", "RSA_PKCS8_ENCRYPTED"})
  void aCorruptKeyIsRefusedNamingTheFile(OpenSslKeys.Form form) throws Exception {
    long seed = 20_000 + form.ordinal();
    Random random = new Random(seed);
    String text = keys.text(form);
    // The key block (SEC1 files start with an EC PARAMETERS block), after any Proc-Type/DEK-Info
    // headers; the
    // first half of it, where the private key itself is (the end of a SEC1 key holds the public
    // key).
    int block = text.lastIndexOf("-----BEGIN");
    int start =
        text.indexOf("\n\n", block) > 0
            ? text.indexOf("\n\n", block) + 2
            : text.indexOf("-----\n", block) + 6;
    int end = start + (text.indexOf("-----END", start) - start) / 2;
    Path bad = dir.resolve("corrupt-" + form.file);
    for (int attempt = 0; attempt < 5; attempt++) {
      // Overwrite a run of base64 characters: the DER structure breaks (a single flipped bit may
      // land in key
      // material that still parses; then the key does not match its certificate, checked below).
      StringBuilder b = new StringBuilder(text);
      int at = start + random.nextInt(Math.max(1, end - start - 24));
      for (int i = at; i < at + 24; i++) {
        if (b.charAt(i) != '\n') {
          b.setCharAt(i, b.charAt(i) == 'A' ? 'B' : 'A');
        }
      }
      Files.writeString(bad, b.toString());
      TlsConfig c =
          new TlsConfig(
              keys.cert(form),
              bad,
              keys.ca(),
              TlsConfig.ClientCerts.REQUIRE,
              Duration.ofSeconds(5),
              keys.passphrase(form));
      String shown = b.toString();
      TlsFileException e =
          assertThrows(
              TlsFileException.class,
              () -> new TlsReloader(c, Clock.systemUTC()),
              "seed " + seed + " attempt " + attempt + "\n" + shown);
      assertEquals(bad, e.file(), "seed " + seed + ": " + e.getMessage());
    }
    Files.writeString(bad, text.substring(0, text.length() / 2));
    assertEquals(
        bad,
        assertThrows(TlsFileException.class, () -> PemFiles.privateKey(bad, keys.passphrase(form)))
            .file(),
        "a truncated key");
  }

  @Test
  void aKeyAndItsPassphraseReplacedTogetherAreReloaded() throws Exception {
    Path live = Files.createDirectories(dir.resolve("live"));
    Files.copy(keys.key(OpenSslKeys.Form.EC_PKCS8_ENCRYPTED), live.resolve("key.pem"));
    Files.copy(keys.cert(OpenSslKeys.Form.EC_PKCS8_ENCRYPTED), live.resolve("cert.pem"));
    Files.copy(keys.passphrase(), live.resolve("pass"));
    TlsReloader tls =
        new TlsReloader(
            new TlsConfig(
                live.resolve("cert.pem"),
                live.resolve("key.pem"),
                keys.ca(),
                TlsConfig.ClientCerts.REQUIRE,
                Duration.ofSeconds(5),
                live.resolve("pass")),
            Clock.systemUTC());
    Files.writeString(live.resolve("pass"), "a new passphrase\n");
    assertTrue(
        !tls.checkNow(),
        "the old key does not open with the new passphrase: the old material stays");
    PemFiles.write(
        live.resolve("key.pem"), PemFiles.text(keys.key(OpenSslKeys.Form.RSA_PKCS1)), true);
    PemFiles.write(
        live.resolve("cert.pem"), PemFiles.text(keys.cert(OpenSslKeys.Form.RSA_PKCS1)), false);
    assertTrue(tls.checkNow(), "an unencrypted key needs no passphrase");
    assertEquals(
        PemFiles.certificates(keys.cert(OpenSslKeys.Form.RSA_PKCS1)).get(0), tls.certificate());
  }
}
