package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.registry.IpAddresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * The secondary recipes users copy (deploy/secondaries/) with the real BIND 9, Knot and NSD on
 * loopback, in front of a 3-node cluster whose nodes have a TSIG key (made by BIND's own
 * tsig-keygen) and NOTIFY the three: each secondary transfers every zone with the key; a new name
 * reaches each of them within 5 s (NOTIFY and IXFR; the SOA refresh is 60 s, so the deadline tells
 * the two apart) and a deleted one leaves as fast; a secondary whose key is wrong is refused and
 * keeps the zone it had; and with every node stopped, the secondaries still answer every name. The
 * recipes are templated only for addresses, ports, directories and the secret. Expects {@code
 * .ci/run} to have installed bind9, knot and nsd.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecondariesIT {
  private static final Path RECIPES =
      Path.of("..", "deploy", "secondaries").toAbsolutePath().normalize();
  private static final Path KEY_FILE =
      Path.of("target", "it", "secondaries", "xfr.key").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(45);

  /**
   * Longer than a NOTIFY and an IXFR on a loaded machine, far shorter than the 60 s SOA refresh.
   */
  private static final Duration THROUGH_NOTIFY = Duration.ofSeconds(5);

  private static final String HOST =
      "127.0.0.1"; // BIND only listens on addresses configured on an interface.
  private static final String PLACEHOLDER =
      "UkVQTEFDRS1NRS13aXRoLXRoZS1zZWNyZXQtb2YtdHNpZy1rZXlnZW4=";
  private static final int BIND = 5311;
  private static final int KNOT = 5312;
  private static final int NSD = 5313;
  private static final int BULK = 40;

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster(
          "secondaries",
          120,
          3,
          "--tsig-key-file",
          KEY_FILE.toString(),
          "--transfer-allow",
          "127.0.0.0/8",
          "--notify",
          HOST + ":" + BIND + "," + HOST + ":" + KNOT + "," + HOST + ":" + NSD);

  private static final Map<String, Integer> SECONDARIES = new LinkedHashMap<>();
  private static final Map<String, Process> PROCESSES = new LinkedHashMap<>();

  /** Every name registered and not deleted, with its service as the API returned it. */
  private static final Map<String, JsonNode> NAMES = new LinkedHashMap<>();

  private static Path work;
  private static String secret;

  @BeforeAll
  static void start() throws Exception {
    for (String bin :
        List.of("/usr/sbin/named", "/usr/sbin/tsig-keygen", "/usr/sbin/knotd", "/usr/sbin/nsd")) {
      assertTrue(
          Files.isExecutable(Path.of(bin)), bin + " is missing: .ci/run installs bind9, knot, nsd");
    }
    work = Files.createDirectories(CLUSTER.base().resolve("secondaries"));
    Process keygen =
        new ProcessBuilder("/usr/sbin/tsig-keygen", "quorumdns-xfr")
            .redirectErrorStream(true)
            .start();
    String key = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keygen.waitFor(), key);
    Files.writeString(KEY_FILE, key);
    Files.setPosixFilePermissions(KEY_FILE, PosixFilePermissions.fromString("rw-------"));
    Matcher m = Pattern.compile("secret \"([^\"]+)\"").matcher(key);
    assertTrue(m.find(), key);
    secret = m.group(1);

    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    CLUSTER.awaitNodeRecords(leader, Duration.ofSeconds(30));
    register("shop", "web");
    for (int i = 0; i < BULK; i++) {
      register("bulk", "svc-" + i);
    }
    startBind(secret);
    startKnot(secret);
    startNsd(secret);
  }

  @AfterAll
  static void stop() {
    PROCESSES.values().forEach(Process::destroyForcibly);
    CLUSTER.close();
  }

  /**
   * A recipe with the dev cluster's addresses replaced by this test's and the placeholder by the
   * secret.
   */
  private static String recipe(String relative, String key) throws IOException {
    String text = Files.readString(RECIPES.resolve(relative));
    for (int i = 1; i <= 3; i++) {
      text = text.replace("127.0.0.1" + i, CLUSTER.ip(i));
    }
    assertTrue(text.contains(PLACEHOLDER), relative + " has the placeholder secret");
    return text.replace(PLACEHOLDER, key);
  }

  private static void launch(String name, int port, List<String> cmd) throws IOException {
    Path log = work.resolve(name + ".log");
    PROCESSES.put(
        name,
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start());
    SECONDARIES.put(name, port);
  }

  private static void startBind(String key) throws IOException {
    Path dir = Files.createDirectories(work.resolve("bind"));
    String conf =
        recipe("bind/named.conf", key)
                .replace(
                    "directory \"/var/cache/bind\";",
                    "directory \"" + dir + "\"; pid-file \"" + dir + "/named.pid\";")
                .replace(
                    "listen-on port 53 { 127.0.0.1; };",
                    "listen-on port " + BIND + " { " + HOST + "; };")
            + "controls { };\n";
    Path file = dir.resolve("named.conf");
    Files.writeString(file, conf);
    launch("bind", BIND, List.of("/usr/sbin/named", "-g", "-c", file.toString()));
  }

  private static void startKnot(String key) throws IOException {
    Path dir = Files.createDirectories(work.resolve("knot"));
    String conf =
        recipe("knot/knot.conf", key)
            .replace("listen: 127.0.0.1@53", "listen: " + HOST + "@" + KNOT)
            .replace("rundir: /run/knot", "rundir: " + dir)
            .replace("storage: /var/lib/knot", "storage: " + dir)
            .replace("server:\n", "log:\n  - target: stderr\n    any: info\n\nserver:\n");
    Path file = dir.resolve("knot.conf");
    Files.writeString(file, conf);
    launch("knot", KNOT, List.of("/usr/sbin/knotd", "-c", file.toString()));
  }

  private static void startNsd(String key) throws IOException {
    Path dir = Files.createDirectories(work.resolve("nsd"));
    String conf =
        recipe("nsd/nsd.conf", key)
            .replace(
                "ip-address: 127.0.0.1@53",
                "ip-address: "
                    + HOST
                    + "@"
                    + NSD
                    + "\n    pidfile: \""
                    + dir
                    + "/nsd.pid\"\n    database: \"\"\n    username: \"\"\n    xfrdfile: \""
                    + dir
                    + "/xfrd.state\"\n"
                    + "    xfrdir: \""
                    + dir
                    + "\"\n    zonelistfile: \""
                    + dir
                    + "/zone.list\"\n    verbosity: 2")
            .replace("zonesdir: \"/var/lib/nsd\"", "zonesdir: \"" + dir + "\"");
    Path file = dir.resolve("nsd.conf");
    Files.writeString(file, conf);
    launch("nsd", NSD, List.of("/usr/sbin/nsd", "-d", "-c", file.toString()));
  }

  private static JsonNode register(String ns, String name) {
    NodeProcess node = CLUSTER.alive().get(0);
    JsonNode svc =
        Await.value(
            WAIT,
            "register " + ns + "/" + name,
            () -> {
              NodeProcess.Reply r =
                  node.call(
                      "PUT",
                      "/v1/services/" + ns + "/" + name,
                      "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":8080}]}");
              return r.status() == 201 || r.status() == 200 ? r.body() : null;
            });
    NAMES.put(name + "." + ns + ".mesh.internal.", svc);
    return svc;
  }

  private static void delete(String ns, String name) {
    NodeProcess node = CLUSTER.alive().get(0);
    Await.until(
        WAIT,
        "delete " + ns + "/" + name,
        () -> node.call("DELETE", "/v1/services/" + ns + "/" + name, null).status() == 200);
    NAMES.remove(name + "." + ns + ".mesh.internal.");
  }

  /** One UDP question to a secondary, retried on timeout. */
  private static Message ask(int port, String name, int type) throws IOException {
    byte[] query =
        Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(1000);
      DatagramPacket out =
          new DatagramPacket(query, query.length, new InetSocketAddress(HOST, port));
      byte[] buf = new byte[4096];
      for (int attempt = 0; attempt < 3; attempt++) {
        socket.send(out);
        try {
          DatagramPacket in = new DatagramPacket(buf, buf.length);
          socket.receive(in);
          return new Message(Arrays.copyOf(in.getData(), in.getLength()));
        } catch (SocketTimeoutException e) {
          // again
        }
      }
      throw new IOException("no answer from " + HOST + ":" + port);
    }
  }

  private static String answer(int port, String name, int type) {
    try {
      Message m = ask(port, name, type);
      StringBuilder b = new StringBuilder(Rcode.string(m.getRcode()));
      for (Record r : m.getSection(Section.ANSWER)) {
        if (r instanceof AAAARecord a) {
          b.append(' ').append(IpAddresses.format(a.getAddress()));
        } else if (r.getType() == type) {
          b.append(' ').append(r.rdataToString());
        }
      }
      return b.toString();
    } catch (IOException e) {
      return "ERROR " + e.getMessage();
    }
  }

  private static void expect(
      String secondary, Duration within, String name, int type, String expected) {
    int port = SECONDARIES.get(secondary);
    Await.until(
        within,
        secondary
            + " "
            + Type.string(type)
            + " "
            + name
            + " = "
            + expected
            + " (log: "
            + work.resolve(secondary + ".log")
            + ")",
        () -> expected.equals(answer(port, name, type)));
  }

  private static void expectEverywhere(
      Duration within, String name, int type, Supplier<String> expected) {
    long deadline = System.nanoTime() + within.toNanos();
    for (String s : SECONDARIES.keySet()) {
      long left = Math.max(1, deadline - System.nanoTime());
      expect(s, Duration.ofNanos(left), name, type, expected.get());
    }
  }

  private static double metric(String prefix) {
    double sum = 0;
    for (NodeProcess n : CLUSTER.alive()) {
      sum +=
          n.text("/metrics")
              .lines()
              .filter(l -> l.startsWith(prefix))
              .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
              .sum();
    }
    return sum;
  }

  private static TSIG key(String s) {
    return new TSIG(TSIG.HMAC_SHA256, Name.fromConstantString("quorumdns-xfr."), s);
  }

  @Test
  @Order(1)
  void everySecondaryTransfersEveryZoneWithTheKey() throws Exception {
    JsonNode web = NAMES.get("web.shop.mesh.internal.");
    String fqdn = "web.shop.mesh.internal.";
    for (String s : SECONDARIES.keySet()) {
      expect(s, WAIT, fqdn, Type.A, "NOERROR " + web.get("vip4").asText());
      expect(s, WAIT, fqdn, Type.AAAA, "NOERROR " + web.get("vip6").asText());
      expect(s, WAIT, "_http._tcp." + fqdn, Type.SRV, "NOERROR 0 100 8080 " + fqdn);
      expect(
          s,
          WAIT,
          ReverseMap.fromAddress(web.get("vip4").asText()).toString(),
          Type.PTR,
          "NOERROR " + fqdn);
      expect(
          s,
          WAIT,
          ReverseMap.fromAddress(web.get("vip6").asText()).toString(),
          Type.PTR,
          "NOERROR " + fqdn);
      expect(s, WAIT, "missing.shop.mesh.internal.", Type.A, "NXDOMAIN");
    }
    assertTrue(
        metric("quorumdns_dns_transfers_total{result=\"full\",type=\"axfr\"}")
                + metric("quorumdns_dns_transfers_total{result=\"full\",type=\"ixfr\"}")
            >= 3,
        "whole-zone transfers");
    // A transfer without the key, or with another secret, is refused; nothing about the zone
    // changes.
    InetSocketAddress node = new InetSocketAddress(CLUSTER.ip(1), 53535);
    long revision = CLUSTER.node("n1").cluster().get("revision").asLong();
    double refused = metric("quorumdns_dns_transfers_total{result=\"refused\"");
    double notauth = metric("quorumdns_dns_transfers_total{result=\"notauth\"");
    ZoneTransferIn unsigned =
        ZoneTransferIn.newAXFR(Name.fromConstantString("mesh.internal."), node, null);
    unsigned.setTimeout(Duration.ofSeconds(10));
    assertThrows(ZoneTransferException.class, unsigned::run);
    ZoneTransferIn wrong =
        ZoneTransferIn.newAXFR(Name.fromConstantString("mesh.internal."), node, key(PLACEHOLDER));
    wrong.setTimeout(Duration.ofSeconds(10));
    assertThrows(Exception.class, wrong::run);
    assertEquals(
        refused + 1,
        metric("quorumdns_dns_transfers_total{result=\"refused\""),
        "unsigned: REFUSED");
    assertEquals(
        notauth + 1,
        metric("quorumdns_dns_transfers_total{result=\"notauth\""),
        "wrong key: NOTAUTH");
    assertEquals(revision, CLUSTER.node("n1").cluster().get("revision").asLong());
    ZoneTransferIn signed =
        ZoneTransferIn.newAXFR(Name.fromConstantString("mesh.internal."), node, key(secret));
    signed.setTimeout(Duration.ofSeconds(10));
    signed.run();
    assertEquals(Type.SOA, signed.getAXFR().get(0).getType());
  }

  @Test
  @Order(2)
  void aNewNameReachesEverySecondaryWithinFiveSecondsAndADeletedOneLeaves() {
    double incremental = metric("quorumdns_dns_transfers_total{result=\"incremental\"");
    JsonNode late = register("shop", "late");
    expectEverywhere(
        THROUGH_NOTIFY,
        "late.shop.mesh.internal.",
        Type.A,
        () -> "NOERROR " + late.get("vip4").asText());
    assertTrue(
        metric("quorumdns_dns_transfers_total{result=\"incremental\"") > incremental,
        "the secondaries took a difference (IXFR), not the whole zone");
    assertTrue(
        metric("quorumdns_dns_notify_total{result=\"acknowledged\"}") > 0, "NOTIFY was answered");
    delete("shop", "late");
    expectEverywhere(THROUGH_NOTIFY, "late.shop.mesh.internal.", Type.A, () -> "NXDOMAIN");
  }

  @Test
  @Order(3)
  void aSecondaryWithAWrongKeyIsRefusedAndKeepsTheZoneItHad() throws Exception {
    restartKnot(PLACEHOLDER);
    JsonNode web = NAMES.get("web.shop.mesh.internal.");
    expect("knot", WAIT, "web.shop.mesh.internal.", Type.A, "NOERROR " + web.get("vip4").asText());
    double refused = metric("quorumdns_dns_queries_total{qtype=\"SOA\",rcode=\"NOTAUTH\"");
    register("shop", "unseen");
    Await.until(
        WAIT,
        "Knot's signed SOA check refused (BADSIG)",
        () -> metric("quorumdns_dns_queries_total{qtype=\"SOA\",rcode=\"NOTAUTH\"") > refused);
    assertEquals(
        "NXDOMAIN",
        answer(KNOT, "unseen.shop.mesh.internal.", Type.A),
        "no new name without the key");
    assertEquals(
        "NOERROR " + web.get("vip4").asText(),
        answer(KNOT, "web.shop.mesh.internal.", Type.A),
        "the zone it had stays");
    restartKnot(secret);
    JsonNode after = register("shop", "after");
    expect(
        "knot", WAIT, "after.shop.mesh.internal.", Type.A, "NOERROR " + after.get("vip4").asText());
    expect(
        "knot",
        WAIT,
        "unseen.shop.mesh.internal.",
        Type.A,
        "NOERROR " + NAMES.get("unseen.shop.mesh.internal.").get("vip4").asText());
  }

  private static void restartKnot(String key) throws Exception {
    Process p = PROCESSES.remove("knot");
    p.destroy();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "knotd stopped");
    startKnot(key);
  }

  @Test
  @Order(4)
  void withEveryNodeStoppedTheSecondariesStillAnswerEveryName() throws IOException {
    long revision = CLUSTER.node("n1").cluster().get("revision").asLong();
    for (String s : SECONDARIES.keySet()) {
      Await.until(
          WAIT,
          s + " at serial " + revision,
          () -> {
            try {
              Message m = ask(SECONDARIES.get(s), "mesh.internal.", Type.SOA);
              return ((SOARecord) m.getSection(Section.ANSWER).get(0)).getSerial()
                  == (revision & 0xffffffffL);
            } catch (IOException | RuntimeException e) {
              return false;
            }
          });
      // The reverse zones are transferred on their own NOTIFY and may be a moment behind the
      // forward zone.
      Await.until(
          WAIT,
          s + " has every PTR",
          () ->
              NAMES.entrySet().stream()
                  .allMatch(
                      e -> {
                        try {
                          return ("NOERROR " + e.getKey())
                              .equals(
                                  answer(
                                      SECONDARIES.get(s),
                                      ReverseMap.fromAddress(e.getValue().get("vip6").asText())
                                          .toString(),
                                      Type.PTR));
                        } catch (IOException | RuntimeException ex) {
                          return false;
                        }
                      }));
    }
    for (NodeProcess n : new ArrayList<>(CLUSTER.alive())) {
      n.kill9();
    }
    assertTrue(CLUSTER.alive().isEmpty());
    for (String s : SECONDARIES.keySet()) {
      for (Map.Entry<String, JsonNode> e : NAMES.entrySet()) {
        assertEquals(
            "NOERROR " + e.getValue().get("vip4").asText(),
            answer(SECONDARIES.get(s), e.getKey(), Type.A),
            s + " " + e.getKey());
        assertEquals(
            "NOERROR " + e.getKey(),
            answer(
                SECONDARIES.get(s),
                ReverseMap.fromAddress(e.getValue().get("vip6").asText()).toString(),
                Type.PTR),
            s + " PTR");
      }
      assertEquals(
          "NOERROR 0 100 8080 web.shop.mesh.internal.",
          answer(SECONDARIES.get(s), "_http._tcp.web.shop.mesh.internal.", Type.SRV),
          s);
    }
  }
}
