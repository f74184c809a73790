package dev.quorumdns.dns;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * A fixed registry for DNS tests, on real RocksDB: prod/web (http/tcp 80, dns/udp 53, an unnamed
 * port), prod/db (static VIPs, pg/tcp 5432), node records n1 (IPv4, voter), n2 (IPv6, voter), n3
 * (IPv4, not a voter). Optionally {@code extraVoters} more voting nodes, to make big NS answers.
 */
final class DnsFixture implements AutoCloseable {
  static final String DOMAIN = "mesh.internal";
  final Registry registry;
  final Service web;
  final Service db;
  final DnsConfig config;

  DnsFixture(Path dir, int extraVoters) {
    registry = TestRegistries.open(dir, ClusterSettings.defaults());
    web =
        TestRegistries.register(
            registry,
            "prod",
            "web",
            new ServiceSpec(
                List.of(
                    new ServicePort("http", Protocol.TCP, 80),
                    new ServicePort("dns", Protocol.UDP, 53),
                    new ServicePort(null, Protocol.TCP, 9000)),
                List.of(),
                Map.of(),
                null,
                null));
    db =
        TestRegistries.register(
            registry,
            "prod",
            "db",
            new ServiceSpec(
                List.of(new ServicePort("pg", Protocol.TCP, 5432)),
                List.of(),
                Map.of(),
                (Inet4Address) IpAddresses.parse("v", "240.0.0.10"),
                (Inet6Address) IpAddresses.parse("v", "fd00:fd00::10")));
    Set<String> voters = new HashSet<>(List.of("n1", "n2"));
    node("n1", "127.0.0.11");
    node("n2", "fd00::2");
    node("n3", "127.0.0.13");
    for (int i = 0; i < extraVoters; i++) {
      node("x" + i, "10.9.0." + (i + 1));
      voters.add("x" + i);
    }
    registry.setVoters(voters);
    // TTLs other than the defaults (60/30), so a TTL hard-coded in the server cannot pass the
    // tables.
    config = DnsConfig.defaults(InetAddress.getLoopbackAddress(), 0, DOMAIN, "n1").withTtls(45, 20);
  }

  private void node(String id, String address) {
    TestRegistries.apply(
        registry,
        new Command.PutNode(
            new NodeRecord(id, IpAddresses.parse("a", address), 9053, 8053, 53535)));
  }

  static byte[] query(String name, int type, int id) {
    try {
      Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
      q.getHeader().setID(id);
      return q.toWire();
    } catch (TextParseException e) {
      throw new IllegalArgumentException(name, e);
    }
  }

  /** A section as sorted lines of zone-file text with single spaces. */
  static List<String> lines(Message m, int section) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(section)) {
      if (section == Section.ADDITIONAL && r.getType() == org.xbill.DNS.Type.OPT) {
        continue;
      }
      String text = r.toString().replaceAll("\\s+", " ").trim();
      if (r instanceof org.xbill.DNS.AAAARecord a) {
        text = text.substring(0, text.lastIndexOf(' ') + 1) + IpAddresses.format(a.getAddress());
      }
      out.add(text);
    }
    out.sort(null);
    return out;
  }

  @Override
  public void close() {
    registry.close();
  }

  /**
   * One fixture for a whole test class, in its own temporary directory, open before the class's
   * {@code @BeforeAll} methods and closed (and deleted) after its {@code @AfterAll} methods:
   * {@code @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);},
   * then {@code FX.get()}.
   */
  static final class PerClass
      implements org.junit.jupiter.api.extension.BeforeAllCallback,
          org.junit.jupiter.api.extension.AfterAllCallback {
    private final int extraVoters;
    private Path dir;
    private DnsFixture fixture;

    PerClass(int extraVoters) {
      this.extraVoters = extraVoters;
    }

    DnsFixture get() {
      if (fixture == null) {
        throw new IllegalStateException("the DNS fixture is open only while its test class runs");
      }
      return fixture;
    }

    @Override
    public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context)
        throws Exception {
      dir = java.nio.file.Files.createTempDirectory("quorumdns-dns-fixture");
      fixture = new DnsFixture(dir, extraVoters);
    }

    @Override
    public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context)
        throws Exception {
      try {
        if (fixture != null) {
          fixture.close();
        }
      } finally {
        fixture = null;
        dev.quorumdns.registry.state.Snapshots.deleteTree(dir);
      }
    }
  }
}
