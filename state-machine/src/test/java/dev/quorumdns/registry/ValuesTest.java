package dev.quorumdns.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.vip.VipPool;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every value refuses bad input naming the field, and normalises what it keeps. */
class ValuesTest {
  private static final Endpoint E = new Endpoint("10.0.0.1", null, null);
  private static final ServicePort P = new ServicePort(null, Protocol.TCP, 1);
  private static final String KELVIN = "\u212a"; // lower-cases to an ASCII 'k'

  static Stream<Arguments> invalid() {
    Map<String, String> tooManyLabels = new HashMap<>();
    for (int i = 0; i < 65; i++) {
      tooManyLabels.put("k" + i, "v");
    }
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    List<ServicePort> nullPort = new ArrayList<>(List.of(P));
    nullPort.add(null);
    List<Endpoint> nullEndpoint = new ArrayList<>();
    nullEndpoint.add(null);
    List<Command> tooManyOps =
        Collections.nCopies(1001, new Command.DeleteService(new ServiceKey("a", "b")));
    return Stream.of(
        // ServiceKey
        bad("namespace", () -> new ServiceKey("", "web")),
        bad("namespace", () -> new ServiceKey(null, "web")),
        bad("namespace", () -> new ServiceKey("-prod", "web")),
        bad("namespace", () -> new ServiceKey("prod-", "web")),
        bad("namespace", () -> new ServiceKey("pr.od", "web")),
        bad("namespace", () -> new ServiceKey("x".repeat(64), "web")),
        bad("namespace", () -> new ServiceKey("node", "web")),
        bad("namespace", () -> new ServiceKey("NODE", "web")),
        bad("namespace", () -> new ServiceKey(KELVIN + "ube", "web")),
        bad("name", () -> new ServiceKey("prod", null)),
        bad("name", () -> new ServiceKey("prod", "web_1")),
        bad("name", () -> new ServiceKey("prod", "x".repeat(64))),
        bad("name", () -> new ServiceKey("prod", "web-")),
        bad("name", () -> new ServiceKey("prod", "w\u00e9b")),
        bad("name", () -> new ServiceKey("prod", "web\u0000")),
        bad("name", () -> new ServiceKey("prod", KELVIN + "afka")),
        bad("service", () -> ServiceKey.parse("no-slash")),
        bad("name", () -> ServiceKey.parse("prod/a/b")),
        // ServicePort, Protocol
        bad("port", () -> new ServicePort("http", Protocol.TCP, 0)),
        bad("port", () -> new ServicePort("http", Protocol.TCP, -1)),
        bad("port", () -> new ServicePort("http", Protocol.TCP, 65536)),
        bad("name", () -> new ServicePort("_http", Protocol.TCP, 80)),
        bad("name", () -> new ServicePort("", Protocol.TCP, 80)),
        bad("name", () -> new ServicePort("h" + KELVIN, Protocol.TCP, 80)),
        bad("protocol", () -> new ServicePort("http", null, 80)),
        bad("protocol", () -> Protocol.parse("protocol", "sctp")),
        bad("protocol", () -> Protocol.parse("protocol", "")),
        bad("protocol", () -> Protocol.parse("protocol", null)),
        // Endpoint
        bad("address", () -> new Endpoint(null, null, null)),
        bad("address", () -> new Endpoint("", null, null)),
        bad("address", () -> new Endpoint("300.1.1.1", null, null)),
        bad("address", () -> new Endpoint("10.0.0", null, null)),
        bad("address", () -> new Endpoint("host name", null, null)),
        bad("address", () -> new Endpoint("a..b", null, null)),
        bad("address", () -> new Endpoint(".", null, null)),
        bad("address", () -> new Endpoint("-a.example", null, null)),
        bad("address", () -> new Endpoint("fe80::1%eth0", null, null)),
        bad("address", () -> new Endpoint("fd00::1::2", null, null)),
        bad("address", () -> new Endpoint("a".repeat(254), null, null)),
        bad("address", () -> new Endpoint(KELVIN + ".example", null, null)),
        bad("port", () -> new Endpoint("10.0.0.1", 0, null)),
        bad("port", () -> new Endpoint("10.0.0.1", 65536, null)),
        bad("weight", () -> new Endpoint("10.0.0.1", 80, -1)),
        bad("weight", () -> new Endpoint("10.0.0.1", 80, 65536)),
        bad("lease", () -> new Endpoint("10.0.0.1", 80, null, Health.PASSING, 0L)),
        bad("lease", () -> new Endpoint("10.0.0.1", 80, null, Health.PASSING, -1L)),
        bad("health", () -> Health.parse("health", "ok")),
        bad("health", () -> Health.parse("health", null)),
        // Leases and headless services
        bad("id", () -> new Lease(0, 5_000, 0)),
        bad("ttl", () -> new Lease(1, 4_999, 0)),
        bad("ttl", () -> new Lease(1, 3_600_001, 0)),
        bad("ttl", () -> Lease.parseTtl("ttl", "4s")),
        bad("ttl", () -> Lease.parseTtl("ttl", "61m")),
        bad("ttl", () -> Lease.parseTtl("ttl", "15 s")),
        bad("ttl", () -> Lease.parseTtl("ttl", "s")),
        bad("ttl", () -> Lease.parseTtl("ttl", "-15s")),
        bad("ttl", () -> Lease.parseTtl("ttl", "99999999999s")),
        bad("ttl", () -> Lease.parseTtl("ttl", null)),
        bad("lease", () -> Lease.parseId("lease", "")),
        bad("lease", () -> Lease.parseId("lease", "0")),
        bad("lease", () -> Lease.parseId("lease", "8000000000000000")),
        bad("lease", () -> Lease.parseId("lease", "10000000000000000")),
        bad("lease", () -> Lease.parseId("lease", "xyz")),
        bad(
            "vip4",
            () ->
                new ServiceSpec(
                    List.of(),
                    List.of(),
                    Map.of(),
                    (Inet4Address) IpAddresses.parse("v", "240.0.0.1"),
                    null,
                    true)),
        bad(
            "vip6",
            () ->
                new ServiceSpec(
                    List.of(),
                    List.of(),
                    Map.of(),
                    null,
                    (Inet6Address) IpAddresses.parse("v", "fd00::1"),
                    true)),
        bad("ids", () -> new Command.ExpireLeases(List.of())),
        bad("ids", () -> new Command.ExpireLeases(List.of(0L))),
        bad(
            "address",
            () ->
                new Command.SetEndpointHealth(
                    new ServiceKey("a", "b"), "bad..name", null, Health.PASSING)),
        bad(
            "port",
            () ->
                new Command.SetEndpointHealth(
                    new ServiceKey("a", "b"), "10.0.0.1", 0, Health.PASSING)),
        bad(
            "health",
            () -> new Command.SetEndpointHealth(new ServiceKey("a", "b"), "10.0.0.1", 80, null)),
        // ServiceSpec
        bad(
            "ports",
            () -> new ServiceSpec(Collections.nCopies(65, P), List.of(), Map.of(), null, null)),
        bad("ports[1]", () -> new ServiceSpec(nullPort, List.of(), Map.of(), null, null)),
        bad(
            "ports[1].name",
            () ->
                new ServiceSpec(
                    List.of(
                        new ServicePort("h", Protocol.TCP, 1),
                        new ServicePort("H", Protocol.TCP, 2)),
                    List.of(),
                    Map.of(),
                    null,
                    null)),
        bad(
            "endpoints",
            () -> new ServiceSpec(List.of(), Collections.nCopies(1025, E), Map.of(), null, null)),
        bad("endpoints[0]", () -> new ServiceSpec(List.of(), nullEndpoint, Map.of(), null, null)),
        bad("labels", () -> spec(tooManyLabels)),
        bad("labels", () -> spec(Map.of("-bad", "v"))),
        bad("labels", () -> spec(Map.of("bad-", "v"))),
        bad("labels", () -> spec(Map.of("a b", "v"))),
        bad("labels", () -> spec(Map.of("", "v"))),
        bad("labels", () -> spec(Map.of("k".repeat(254), "v"))),
        bad("labels", () -> spec(nullKey)),
        bad("labels.k", () -> spec(nullValue)),
        bad("labels.k", () -> spec(Map.of("k", "line\nbreak"))),
        bad("labels.k", () -> spec(Map.of("k", "del\u007f"))),
        bad("labels.k", () -> spec(Map.of("k", "x".repeat(1025)))),
        bad("labels.k", () -> spec(Map.of("k", "lone \ud800 high"))),
        bad("labels.k", () -> spec(Map.of("k", "lone \udc00 low"))),
        bad("labels.k", () -> spec(Map.of("k", "high at the end \ud83d"))),
        // NodeRecord
        bad("id", () -> new NodeRecord("N_1", IpAddresses.parse("a", "10.0.0.1"), 1, 2, 3)),
        bad("id", () -> new NodeRecord(null, IpAddresses.parse("a", "10.0.0.1"), 1, 2, 3)),
        bad("address", () -> new NodeRecord("n1", null, 1, 2, 3)),
        bad("raftPort", () -> new NodeRecord("n1", IpAddresses.parse("a", "10.0.0.1"), 0, 2, 3)),
        bad("apiPort", () -> new NodeRecord("n1", IpAddresses.parse("a", "10.0.0.1"), 1, 65536, 3)),
        bad("dnsPort", () -> new NodeRecord("n1", IpAddresses.parse("a", "10.0.0.1"), 1, 2, 0)),
        // ClusterSettings
        bad("vip-cidr", () -> new ClusterSettings(null, null, 0)),
        bad("vip-cidr", () -> new ClusterSettings(pool("fd00::/64"), null, 0)),
        bad("vip6-cidr", () -> new ClusterSettings(pool("240.0.0.0/4"), pool("10.0.0.0/8"), 0)),
        bad("vip-hold-down", () -> new ClusterSettings(pool("240.0.0.0/4"), null, -1)),
        bad(
            "vip-hold-down",
            () -> new ClusterSettings(pool("240.0.0.0/4"), null, 7L * 24 * 3600 * 1000 + 1)),
        // IP literals
        bad("vip4", () -> IpAddresses.parse4("vip4", "1.2.3")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "1.2.3.04.5")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "256.0.0.1")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "1..2.3")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "1.2.3.4.")),
        bad("vip4", () -> IpAddresses.parse4("vip4", " 1.2.3.4")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "0001.2.3.4")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "")),
        bad("vip4", () -> IpAddresses.parse("vip4", null)),
        bad("vip6", () -> IpAddresses.parse6("vip6", "fd00::g")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "::ffff:1.2.3.4")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "fe80::1%1")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "1:2:3:4:5:6:7:8:9")),
        bad("vip6", () -> IpAddresses.parse6("vip6", ":::")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "[::1")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "1.2.3.4")),
        bad("vip6", () -> IpAddresses.parse6("vip6", ".:")), // once looked up in DNS as a host name
        bad("vip6", () -> IpAddresses.parse6("vip6", "..:1")),
        // Commands
        bad("operations", () -> new Command.Batch(List.of())),
        bad("operations", () -> new Command.Batch(tooManyOps)),
        bad("operations[0]", () -> new Command.Batch(List.of(new Command.RemoveNode("n1")))),
        bad("commands", () -> new Command.Group(List.of())),
        bad(
            "commands",
            () ->
                new Command.Group(
                    List.of(new Command.Group(List.of(new Command.RemoveNode("n1")))))),
        bad("id", () -> new Command.RemoveNode("n 1")));
  }

  private static VipPool pool(String cidr) {
    return VipPool.parse("v", cidr);
  }

  private static ServiceSpec spec(Map<String, String> labels) {
    return new ServiceSpec(List.of(), List.of(), labels, null, null);
  }

  private static Arguments bad(String field, Supplier<Object> build) {
    return Arguments.of(field, build);
  }

  @ParameterizedTest(name = "{index}: refused naming {0}")
  @MethodSource("invalid")
  void badInputIsRefusedNamingTheField(String field, Supplier<Object> build) {
    ValidationException e = assertThrows(ValidationException.class, build::get);
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    assertEquals(field + ": " + e.reason(), e.getMessage());
  }

  /**
   * RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups (the first
   * on a tie).
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "2001:DB8::1, 2001:db8::1",
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:0:0:1:0:0, 2001:db8::1:0:0",
    "1:0:0:2:0:0:0:3, 1:0:0:2::3",
    "0:0:1:0:0:0:0:0, 0:0:1::",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "0:1:0:1:0:1:0:1, 0:1:0:1:0:1:0:1",
    "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789, abcd:ef01:2345:6789:abcd:ef01:2345:6789",
    "0:0:0:0:0:0:0:0, ::",
    "::, ::",
    "0:0:0:0:0:0:0:1, ::1",
    "1:0:0:0:0:0:0:0, 1::",
    "fd00:fd00:0:0:0:0:0:9, fd00:fd00::9",
    "[fd00::1], fd00::1",
    "::1.2.3.4, ::102:304",
    "10.0.0.1, 10.0.0.1",
    "255.255.255.255, 255.255.255.255"
  })
  void addressesPrintCanonically(String in, String canonical) {
    assertEquals(canonical, IpAddresses.format(IpAddresses.parse("a", in)));
    assertEquals(
        canonical, new Endpoint(in, null, null).address(), "endpoints keep the canonical text");
    assertEquals(
        canonical,
        IpAddresses.format(IpAddresses.parse("a", canonical)),
        "canonical text is a fixed point");
  }

  @Test
  void valuesAreNormalised() {
    assertEquals(new ServiceKey("prod", "web"), new ServiceKey("PROD", "Web"));
    assertEquals("prod", new ServiceKey("PROD", "Web").namespace());
    assertEquals(new ServiceKey("prod", "web"), ServiceKey.parse("Prod/WEB"));
    assertEquals("prod/web", new ServiceKey("prod", "web").toString());
    assertEquals("web.prod.mesh.internal", new ServiceKey("prod", "web").fqdn("mesh.internal"));
    assertEquals(
        "a".repeat(63),
        new ServiceKey("a".repeat(63), "b").namespace(),
        "63 characters is the limit");
    assertEquals("0-9", DnsLabel.normalize("x", "0-9"));
    assertEquals("api.example.com", new Endpoint("API.Example.COM.", 443, 5).address());
    assertEquals(443, new Endpoint("api.example.com", 443, 5).port());
    assertNull(new Endpoint("api.example.com", null, null).weight());
    assertEquals(0, new Endpoint("api.example.com", 1, 0).weight());
    assertEquals("http", new ServicePort("HTTP", Protocol.parse("p", "TCP"), 80).name());
    assertEquals(Protocol.UDP, Protocol.parse("p", "Udp"));
    assertEquals("udp", Protocol.UDP.label());
    ServiceSpec s = spec(Map.of("b", "2", "a", "1", "A.b/c_d-e", "\ud83d\ude00 ok"));
    assertEquals(
        List.of("A.b/c_d-e", "a", "b"), List.copyOf(s.labels().keySet()), "labels sorted by key");
    assertEquals(
        new ServiceSpec(null, null, null, null, null),
        ServiceSpec.ofPorts(),
        "null lists are empty");
    assertTrue(IpAddresses.parse("vip6", "fd00::1") instanceof Inet6Address);
    NodeRecord n = new NodeRecord("N1", IpAddresses.parse("a", "fd00::1"), 9053, 8053, 53535);
    assertEquals("n1", n.id());
    assertEquals("[fd00::1]:53535", n.dnsEndpoint());
    assertEquals("n1", new Command.RemoveNode("N1").id());
    ClusterSettings d = ClusterSettings.defaults();
    assertEquals("240.0.0.0/4", d.vip4Pool().cidr());
    assertEquals("fd00:fd00::/64", d.pool(VipPool.Family.IPV6).cidr());
    assertEquals(600_000, d.holdDownMillis());
    assertEquals("node", ServiceKey.RESERVED_NAMESPACE);
    assertEquals(
        Health.PASSING,
        new Endpoint("10.0.0.1", null, null, null, null).health(),
        "passing by default");
    assertEquals(Health.WARNING, Health.parse("h", "Warning"));
    assertEquals("critical", Health.CRITICAL.label());
    assertEquals(15_000, Lease.parseTtl("ttl", "15s"));
    assertEquals(15_000, Lease.parseTtl("ttl", "15"), "a bare number is seconds");
    assertEquals(5_000, Lease.parseTtl("ttl", "5000ms"));
    assertEquals(120_000, Lease.parseTtl("ttl", " 2M "));
    assertEquals(3_600_000, Lease.parseTtl("ttl", "1h"));
    assertEquals("15s", Lease.formatTtl(15_000));
    assertEquals("5500ms", Lease.formatTtl(5_500));
    assertEquals(0x694d7e0f2b8d3a0bL, Lease.parseId("l", "694D7E0F2B8D3A0B"));
    assertEquals("000000000000002a", Lease.formatId(42));
    assertEquals(42, Lease.parseId("l", "2a"));
    assertEquals(Long.MAX_VALUE, Lease.parseId("l", "7fffffffffffffff"));
    assertEquals(
        "[fd00::1]:80",
        new Command.SetEndpointHealth(new ServiceKey("a", "b"), "FD00:0::1", 80, Health.CRITICAL)
            .endpoint(),
        "endpoint names print the canonical address, bracketed when IPv6");
    assertEquals(
        "db.example.com",
        new Command.SetEndpointHealth(
                new ServiceKey("a", "b"), "DB.example.com.", null, Health.CRITICAL)
            .endpoint());
  }

  @Test
  void withoutVipsDropsOnlyTheRequests() {
    ServiceSpec s =
        new ServiceSpec(
            List.of(new ServicePort("h", Protocol.UDP, 53)),
            List.of(E),
            Map.of("a", "b"),
            IpAddresses.parse4("vip4", "240.0.0.9"),
            IpAddresses.parse6("vip6", "fd00::9"));
    ServiceSpec stored = s.withoutVips();
    assertEquals(s.ports(), stored.ports());
    assertEquals(s.endpoints(), stored.endpoints());
    assertEquals(s.labels(), stored.labels());
    assertNull(stored.vip4());
    assertNull(stored.vip6());
    assertTrue(
        new Service(new ServiceKey("a", "b"), s, IpAddresses.parse4("v", "240.0.0.1"), null, 2, 1)
            .sameSpec(stored),
        "a service never keeps the VIP requests");
  }

  @Test
  void theValuesAreImmutable() {
    List<ServicePort> ports = new ArrayList<>(List.of(P));
    ServiceSpec s = new ServiceSpec(ports, List.of(), new HashMap<>(Map.of("a", "b")), null, null);
    ports.clear();
    assertEquals(1, s.ports().size(), "the spec copied its list");
    assertThrows(UnsupportedOperationException.class, () -> s.ports().add(P));
    assertThrows(UnsupportedOperationException.class, () -> s.labels().put("c", "d"));
  }
}
