package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.cli.CertificateIssuer;
import dev.quorumdns.cli.CertsCommand;
import dev.quorumdns.node.tls.PemFiles;
import dev.quorumdns.registry.state.Snapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.xbill.DNS.Type;

/**
 * A 3-node cluster of real processes with {@code --tls-cert/--tls-key/--tls-ca}: HTTPS API with
 * client certificates, mutual TLS between Raft members, refused clients and peers, and certificates
 * reloaded without a restart. Certificates come from {@code quorumdns certs} code; a second CA
 * plays the outsider. Members' keys come in the forms operators have them: n1's PKCS#8, n2's
 * encrypted PKCS#8 with a passphrase file, n3's SEC1 ({@code EC PRIVATE KEY}), all converted by
 * openssl. Steps run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int SUBNET = 21;
  private static final Path BASE = Path.of("target", "it", "tls-cluster").toAbsolutePath();
  private static final Path CERTS = BASE.resolve("certs");
  private static final Path FOREIGN = BASE.resolve("foreign");
  private static final List<NodeProcess> NODES = new ArrayList<>();
  private static TlsProbe admin;

  @RegisterExtension
  static final TestWatcher LOGS =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          for (NodeProcess n : NODES) {
            System.err.println(
                "----- " + n.id() + " (" + n.log() + "), last 60 lines -----\n" + n.tail(60));
          }
        }
      };

  static String ip(int i) {
    return "127.0." + SUBNET + "." + (10 + i);
  }

  @BeforeAll
  static void start() throws Exception {
    Snapshots.deleteTree(BASE);
    Map<String, List<String>> nodes = new LinkedHashMap<>();
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      nodes.put("n" + i, List.of(ip(i), "n" + i));
      peers.add("n" + i + "=" + ip(i) + ":9053");
    }
    CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), seeded(21));
    CertsCommand.issue(new CertsCommand.Request(CERTS, nodes, List.of("admin"), 2), issuer);
    // The outsider: an impostor CA with the cluster CA's very name (so clients offer its
    // certificates rather
    // than none), a node certificate with n1's name and address, one for n4, and a client
    // certificate.
    String caName =
        X500Name.getInstance(
                PemFiles.certificates(CERTS.resolve("ca.pem"))
                    .get(0)
                    .getSubjectX500Principal()
                    .getEncoded())
            .getRDNs(BCStyle.CN)[0]
            .getFirst()
            .getValue()
            .toString();
    CertificateIssuer.Issued impostor = issuer.newCa(caName, Duration.ofDays(2));
    Files.createDirectories(FOREIGN);
    PemFiles.write(FOREIGN.resolve("ca-key.pem"), impostor.keyPem(), true);
    PemFiles.write(FOREIGN.resolve("ca.pem"), impostor.certificatePem(), false);
    CertsCommand.issue(
        new CertsCommand.Request(
            FOREIGN,
            Map.of("n1", List.of(ip(1), "n1"), "n4", List.of(ip(4), "n4")),
            List.of("mallory"),
            2),
        issuer);
    Files.writeString(CERTS.resolve("n2-pass"), "n2 key passphrase\n");
    openssl(
        "pkcs8",
        "-topk8",
        "-in",
        "n2-key.pem",
        "-passout",
        "file:n2-pass",
        "-out",
        "n2-key-encrypted.pem");
    Files.move(
        CERTS.resolve("n2-key-encrypted.pem"),
        CERTS.resolve("n2-key.pem"),
        StandardCopyOption.REPLACE_EXISTING);
    openssl("ec", "-in", "n3-key.pem", "-out", "n3-key-sec1.pem");
    Files.move(
        CERTS.resolve("n3-key-sec1.pem"),
        CERTS.resolve("n3-key.pem"),
        StandardCopyOption.REPLACE_EXISTING);
    assertTrue(
        Files.readString(CERTS.resolve("n2-key.pem"))
            .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assertTrue(
        Files.readString(CERTS.resolve("n3-key.pem")).startsWith("-----BEGIN EC PRIVATE KEY-----"));
    for (int i = 1; i <= 3; i++) {
      String id = "n" + i;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--id",
                  id,
                  "--data-dir",
                  BASE.resolve(id).toString(),
                  "--bind",
                  ip(i),
                  "--peers",
                  String.join(",", peers),
                  "--tls-cert",
                  CERTS.resolve(id + ".pem").toString(),
                  "--tls-key",
                  CERTS.resolve(id + "-key.pem").toString(),
                  "--tls-ca",
                  CERTS.resolve("ca.pem").toString(),
                  "--tls-reload-interval",
                  "200ms"));
      if (id.equals("n2")) {
        args.addAll(List.of("--tls-key-passphrase-file", CERTS.resolve("n2-pass").toString()));
      }
      NodeProcess n = new NodeProcess(id, ip(i), BASE.resolve(id), args);
      NODES.add(n);
      n.start();
    }
    admin =
        new TlsProbe(
            CERTS.resolve("ca.pem"), CERTS.resolve("admin.pem"), CERTS.resolve("admin-key.pem"));
  }

  /** Runs openssl in the certificate directory. */
  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(CERTS.toFile()).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          "openssl failed: " + cmd + "\n" + new String(p.getInputStream().readAllBytes()));
    }
  }

  static SecureRandom seeded(long seed) throws Exception {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(seed);
    return r;
  }

  @AfterAll
  static void stop() {
    NODES.forEach(NodeProcess::kill9);
  }

  private static String awaitLeader() {
    return Await.value(
        Duration.ofSeconds(60),
        "a leader agreed by all nodes over HTTPS",
        () -> {
          String agreed = null;
          for (NodeProcess n : NODES.subList(0, 3)) {
            JsonNode c = admin.cluster(n.ip());
            if (c == null
                || !c.path("leader").isTextual()
                || (agreed != null && !agreed.equals(c.get("leader").asText()))) {
              return null;
            }
            agreed = c.get("leader").asText();
          }
          return agreed;
        });
  }

  private static NodeProcess node(String id) {
    return NODES.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * Registers {@code ns/name} through {@code via} over HTTPS and waits until every node answers it
   * in DNS.
   */
  private static String registerEverywhere(NodeProcess via, String name) {
    NodeProcess.Reply r =
        Writes.untilDone(
            "PUT team/" + name + " via " + via.id() + " over HTTPS",
            WAIT,
            () -> admin.reply(via.ip(), "PUT", "/v1/services/team/" + name, "{}"));
    String vip = r.body().get("vip4").asText();
    for (NodeProcess n : NODES) {
      Await.until(
          WAIT,
          n.id() + " answers " + name + " in DNS",
          () -> ("NOERROR " + vip).equals(n.resolve(name + ".team.mesh.internal", Type.A)));
    }
    return vip;
  }

  @Test
  @Order(1)
  void aTlsClusterElectsALeaderAndReplicatesAWriteMadeOverHttps() {
    String leader = awaitLeader();
    NodeProcess follower =
        NODES.stream().filter(n -> !n.id().equals(leader)).findFirst().orElseThrow();
    String vip = registerEverywhere(follower, "web");
    assertTrue(vip.startsWith("240.") || vip.startsWith("24") || vip.startsWith("25"), vip);
  }

  @Test
  @Order(2)
  void theApiRefusesClientsWithoutACertificateFromTheClusterCa() throws Exception {
    String ip = ip(1);
    TlsProbe noCert = new TlsProbe(CERTS.resolve("ca.pem"), null, null);
    TlsProbe foreignCert =
        new TlsProbe(
            CERTS.resolve("ca.pem"),
            FOREIGN.resolve("mallory.pem"),
            FOREIGN.resolve("mallory-key.pem"));
    TlsProbe trustsOtherCa =
        new TlsProbe(
            FOREIGN.resolve("ca.pem"), CERTS.resolve("admin.pem"), CERTS.resolve("admin-key.pem"));
    assertEquals(
        200,
        admin.call(ip, "GET", "/v1/cluster", null).status(),
        "control: the admin certificate works");
    assertThrows(
        IOException.class,
        () -> noCert.call(ip, "GET", "/v1/cluster", null),
        "no client certificate");
    assertThrows(
        IOException.class,
        () -> foreignCert.call(ip, "GET", "/v1/cluster", null),
        "another CA's client");
    assertThrows(
        SSLHandshakeException.class,
        () -> trustsOtherCa.call(ip, "GET", "/v1/cluster", null),
        "a client that does not trust the cluster CA does not trust the node");
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    assertThrows(
        IOException.class,
        () -> TlsProbe.call(plain, "http://" + ip + ":8053", "GET", "/v1/cluster", null),
        "plain HTTP to the HTTPS port");
    for (String reason :
        List.of(
            "Empty client certificate chain",
            "Path does not chain with any of the trust anchors",
            "NotSslRecordException")) {
      Await.until(
          WAIT,
          "n1 to log a handshake refused with " + reason,
          () ->
              node("n1")
                  .tail(400)
                  .lines()
                  .anyMatch(
                      l -> l.contains("HTTPS handshake from /127.0.0.1") && l.contains(reason)));
    }
  }

  @Test
  @Order(3)
  void raftRefusesAPeerWithACertificateFromAnotherCa() throws Exception {
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add("n" + i + "=" + ip(i) + ":9053");
    }
    // An outsider with a node certificate (n1's name and address) signed by another CA, trusting
    // the real CA.
    try (RawRaftClient outsider =
        new RawRaftClient(
            peers,
            CERTS.resolve("ca.pem"),
            FOREIGN.resolve("n1.pem"),
            FOREIGN.resolve("n1-key.pem"))) {
      String outcome = outsider.put("team", "injected");
      assertTrue(outcome.startsWith("failed") && outcome.contains("ssl exception"), outcome);
    }
    Await.until(
        WAIT,
        "a member to log the outsider's refused certificate",
        () ->
            NODES.stream()
                .anyMatch(
                    n ->
                        n.tail(400)
                            .lines()
                            .anyMatch(
                                l ->
                                    l.contains(
                                            "Raft: refused the certificate of incoming connection from")
                                        && l.contains("subject CN=n1"))));
    try (RawRaftClient plain = new RawRaftClient(peers, null, null, null)) {
      String outcome = plain.put("team", "plaintext");
      assertTrue(outcome.startsWith("failed"), "a write over plain gRPC: " + outcome);
    }
    // Control: the same raw client with a certificate of the cluster CA gets through.
    try (RawRaftClient insider =
        new RawRaftClient(
            peers,
            CERTS.resolve("ca.pem"),
            CERTS.resolve("admin.pem"),
            CERTS.resolve("admin-key.pem"))) {
      assertEquals("applied", insider.put("team", "control"), "a write with a cluster certificate");
    }
    for (NodeProcess n : NODES) {
      Await.until(WAIT, n.id() + " holds the control write", () -> names(n).contains("control"));
      List<String> names = names(n);
      assertFalse(
          names.contains("injected") || names.contains("plaintext"), n.id() + " holds " + names);
      assertEquals(3, admin.cluster(n.ip()).path("members").size(), n.id() + " members");
    }
  }

  private static List<String> names(NodeProcess n) {
    try {
      TlsProbe.Reply r = admin.call(n.ip(), "GET", "/v1/services?stale", null);
      List<String> out = new ArrayList<>();
      r.body().path("services").forEach(s -> out.add(s.path("name").asText()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @Order(4)
  void reissuedCertificatesAreServedWithoutARestartAndABrokenFileKeepsTheOldOne() throws Exception {
    NodeProcess n1 = node("n1");
    BigInteger before = admin.servedSerial(n1.ip(), 8053);
    assertEquals(
        before, admin.servedSerial(n1.ip(), 9053), "the API and Raft serve the same certificate");
    CertificateIssuer.Issued ca =
        new CertificateIssuer.Issued(
            PemFiles.certificates(CERTS.resolve("ca.pem")).get(0),
            PemFiles.privateKey(CERTS.resolve("ca-key.pem")));
    CertificateIssuer.Issued fresh =
        new CertificateIssuer(Clock.systemUTC(), seeded(99))
            .issue(ca, "n1", List.of(n1.ip(), "n1"), true, Duration.ofDays(2));
    BigInteger next = fresh.certificate().getSerialNumber();
    PemFiles.write(CERTS.resolve("n1-key.pem"), fresh.keyPem(), true);
    PemFiles.write(CERTS.resolve("n1.pem"), fresh.certificatePem(), false);
    Await.until(
        WAIT, "n1's API to serve serial " + next.toString(16), () -> serial(n1, 8053).equals(next));
    Await.until(
        WAIT,
        "n1's Raft port to serve serial " + next.toString(16),
        () -> serial(n1, 9053).equals(next));
    registerEverywhere(n1, "after-reload");

    Files.writeString(
        CERTS.resolve("n1.pem"),
        "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
    Await.until(
        WAIT,
        "n1 to log the failed reload naming the file",
        () ->
            n1.tail(400)
                .contains(
                    "TLS reload failed, still using certificate serial "
                        + next.toString(16)
                        + ": "
                        + CERTS.resolve("n1.pem")));
    assertEquals(
        next, admin.servedSerial(n1.ip(), 8053), "the API keeps the last good certificate");
    assertEquals(next, admin.servedSerial(n1.ip(), 9053), "Raft keeps the last good certificate");
    registerEverywhere(n1, "after-broken-file");
  }

  @Test
  @Order(5)
  void aNodeWithACertificateFromAnotherCaCannotJoin() throws Exception {
    NodeProcess outsider =
        new NodeProcess(
            "n4",
            ip(4),
            BASE.resolve("n4"),
            List.of(
                "--id",
                "n4",
                "--data-dir",
                BASE.resolve("n4").toString(),
                "--bind",
                ip(4),
                "--join",
                "--tls-cert",
                FOREIGN.resolve("n4.pem").toString(),
                "--tls-key",
                FOREIGN.resolve("n4-key.pem").toString(),
                "--tls-ca",
                FOREIGN.resolve("ca.pem").toString()));
    NODES.add(outsider);
    outsider.start();
    TlsProbe outsiderAdmin =
        new TlsProbe(
            FOREIGN.resolve("ca.pem"),
            FOREIGN.resolve("mallory.pem"),
            FOREIGN.resolve("mallory-key.pem"));
    Await.until(WAIT, "n4's API", () -> outsiderAdmin.cluster(outsider.ip()) != null);
    String leader = awaitLeader();
    int status;
    try {
      status =
          admin
              .call(
                  node(leader).ip(),
                  "POST",
                  "/v1/cluster/members",
                  "{\"id\":\"n4\",\"raft\":\"" + outsider.ip() + ":9053\",\"role\":\"voter\"}")
              .status();
    } catch (HttpTimeoutException e) {
      status = -1; // still trying to reach n4 when the client gave up
    }
    assertTrue(status != 200 && status != 201, "adding n4 answered " + status);
    Await.until(
        WAIT,
        "a member to log n4's refused certificate",
        () ->
            NODES.stream()
                .limit(3)
                .anyMatch(n -> n.tail(400).contains("Raft: refused the certificate of member")));
    for (NodeProcess n : NODES.subList(0, 3)) {
      List<String> ids = new ArrayList<>();
      admin.cluster(n.ip()).path("members").forEach(m -> ids.add(m.path("id").asText()));
      assertEquals(List.of("n1", "n2", "n3"), ids.stream().sorted().toList(), n.id() + " members");
    }
    JsonNode seen = outsiderAdmin.cluster(outsider.ip());
    assertEquals(0, seen.path("services").asInt(), "n4 received no registry: " + seen);
    assertEquals(0, seen.path("members").size(), "n4 received no configuration: " + seen);
  }

  private static BigInteger serial(NodeProcess n, int port) {
    try {
      return admin.servedSerial(n.ip(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
