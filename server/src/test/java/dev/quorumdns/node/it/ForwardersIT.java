package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.registry.IpAddresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The forwarder recipes users copy (deploy/forwarders/) work verbatim with real BIND 9, dnsmasq and
 * Unbound (forward-zone and stub-zone) in front of a 3-node cluster, also after two of the three
 * nodes die. The recipes are templated only for addresses and ports. Expects {@code .ci/run} to
 * have installed bind9, dnsmasq and unbound.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ForwardersIT {
  private static final Path RECIPES =
      Path.of("..", "deploy", "forwarders").toAbsolutePath().normalize();
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final String HOST =
      "127.0.0.1"; // BIND only listens on addresses configured on an interface.

  @RegisterExtension static final TestCluster CLUSTER = new TestCluster("forwarders", 4, 3);

  private static final Map<String, Integer> FORWARDERS = new LinkedHashMap<>();
  private static final List<Process> PROCESSES = new ArrayList<>();
  private static Path work;

  @BeforeAll
  static void start() throws IOException {
    for (String bin : List.of("/usr/sbin/named", "/usr/sbin/dnsmasq", "/usr/sbin/unbound")) {
      assertTrue(
          Files.isExecutable(Path.of(bin)),
          bin + " is missing: .ci/run installs bind9, dnsmasq, unbound");
    }
    work = CLUSTER.base().resolve("forwarders");
    Files.createDirectories(work);
    CLUSTER.startAll();
    CLUSTER.awaitLeader(Duration.ofSeconds(60));
    startBind(5301);
    startDnsmasq(5302);
    startUnbound(5303, "forward-zone.conf");
    startUnbound(5304, "stub-zone.conf");
  }

  @AfterAll
  static void stop() {
    PROCESSES.forEach(Process::destroyForcibly);
    CLUSTER.close();
  }

  /** A recipe with the dev cluster's addresses replaced by this test's. */
  private static String recipe(String relative) throws IOException {
    String text = Files.readString(RECIPES.resolve(relative));
    for (int i = 1; i <= 3; i++) {
      text = text.replace("127.0.0.1" + i, CLUSTER.ip(i));
    }
    return text;
  }

  private static void launch(String name, int port, List<String> cmd) throws IOException {
    Path log = work.resolve(name + ".log");
    PROCESSES.add(
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start());
    FORWARDERS.put(name, port);
  }

  private static void startBind(int port) throws IOException {
    Path dir = Files.createDirectories(work.resolve("bind"));
    String conf =
        recipe("bind/named.conf")
                .replace(
                    "directory \"/var/cache/bind\";",
                    "directory \"" + dir + "\"; pid-file \"" + dir + "/named.pid\";")
                .replace(
                    "listen-on port 53 { 127.0.0.1; };",
                    "listen-on port " + port + " { " + HOST + "; };")
            + "controls { };\n";
    Path file = dir.resolve("named.conf");
    Files.writeString(file, conf);
    launch("bind", port, List.of("/usr/sbin/named", "-g", "-c", file.toString()));
  }

  private static void startDnsmasq(int port) throws IOException {
    Path file = work.resolve("dnsmasq.conf");
    Files.writeString(file, recipe("dnsmasq/quorumdns.conf"));
    launch(
        "dnsmasq",
        port,
        List.of(
            "/usr/sbin/dnsmasq",
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            "--listen-address=" + HOST,
            "--port=" + port,
            "--pid-file=" + work.resolve("dnsmasq.pid"),
            "--user=root",
            "--conf-file=" + file,
            "--log-facility=-"));
  }

  private static void startUnbound(int port, String variant) throws IOException {
    String name = "unbound-" + variant.replace("-zone.conf", "");
    Path dir = Files.createDirectories(work.resolve(name));
    Path recipe = dir.resolve("quorumdns.conf");
    Files.writeString(recipe, recipe("unbound/" + variant));
    Path conf = dir.resolve("unbound.conf");
    Files.writeString(
        conf,
        "server:\n    interface: "
            + HOST
            + "\n    port: "
            + port
            + "\n"
            + "    do-daemonize: no\n    chroot: \"\"\n    username: \"\"\n    directory: \""
            + dir
            + "\"\n"
            + "    pidfile: \""
            + dir.resolve("unbound.pid")
            + "\"\n    use-syslog: no\n    logfile: \"\"\n"
            + "    access-control: 127.0.0.0/8 allow\n    do-ip6: no\n"
            + "include: \""
            + recipe
            + "\"\n");
    launch(name, port, List.of("/usr/sbin/unbound", "-d", "-c", conf.toString()));
  }

  /**
   * Asks like a libc stub resolver: the same packet (same id) is retransmitted on timeout, which is
   * how forwarders such as dnsmasq recognise a retry and try their other servers.
   */
  private static Message ask(int port, String name, int type) throws IOException {
    byte[] query =
        Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(1500);
      DatagramPacket out =
          new DatagramPacket(query, query.length, new InetSocketAddress(HOST, port));
      byte[] buf = new byte[4096];
      for (int attempt = 0; attempt < 4; attempt++) {
        socket.send(out);
        try {
          DatagramPacket in = new DatagramPacket(buf, buf.length);
          socket.receive(in);
          Message m = new Message(Arrays.copyOf(in.getData(), in.getLength()));
          if (m.getHeader().getID() == (((query[0] & 0xff) << 8) | (query[1] & 0xff))) {
            return m;
          }
        } catch (SocketTimeoutException e) {
          // retransmit
        }
      }
      throw new IOException("no answer from " + HOST + ":" + port + " after 4 tries");
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

  private static void expect(String forwarder, String name, int type, String expected) {
    int server = FORWARDERS.get(forwarder);
    Await.until(
        WAIT,
        forwarder
            + " "
            + Type.string(type)
            + " "
            + name
            + " = "
            + expected
            + " (log: "
            + work.resolve(forwarder + ".log")
            + ")",
        () -> expected.equals(answer(server, name, type)));
  }

  private static JsonNode register(String ns, String name) {
    NodeProcess node = CLUSTER.alive().get(0);
    return Writes.put(
            node, ns, name, "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":8080}]}")
        .body();
  }

  private static void checkEverything(String forwarder, String ns, String name, JsonNode svc)
      throws IOException {
    String fqdn = name + "." + ns + ".mesh.internal.";
    expect(forwarder, fqdn, Type.A, "NOERROR " + svc.get("vip4").asText());
    expect(forwarder, fqdn, Type.AAAA, "NOERROR " + svc.get("vip6").asText());
    expect(forwarder, "_http._tcp." + fqdn, Type.SRV, "NOERROR 0 100 8080 " + fqdn);
    expect(
        forwarder,
        ReverseMap.fromAddress(svc.get("vip4").asText()).toString(),
        Type.PTR,
        "NOERROR " + fqdn);
    expect(
        forwarder,
        ReverseMap.fromAddress(svc.get("vip6").asText()).toString(),
        Type.PTR,
        "NOERROR " + fqdn);
    expect(forwarder, "missing-" + name + "." + ns + ".mesh.internal.", Type.A, "NXDOMAIN");
  }

  @Test
  void everyRecipeResolvesTheZoneAlsoWithTwoOfThreeNodesDown() throws IOException {
    JsonNode web = register("shop", "web");
    // Registered now, asked only after the kill, so no forwarder can answer from its cache.
    Map<String, JsonNode> late = new LinkedHashMap<>();
    for (String f : FORWARDERS.keySet()) {
      late.put(f, register("late", "svc-" + f));
    }
    for (String f : FORWARDERS.keySet()) {
      checkEverything(f, "shop", "web", web);
    }
    CLUSTER.node("n1").kill9();
    CLUSTER.node("n2").kill9();
    for (String f : FORWARDERS.keySet()) {
      checkEverything(f, "late", "svc-" + f, late.get(f));
    }
    assertEquals(1, CLUSTER.alive().size());
  }
}
