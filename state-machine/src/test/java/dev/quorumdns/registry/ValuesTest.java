package dev.quorumdns.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every value refuses bad input naming the field, and normalises what it keeps. */
class ValuesTest {

  static Stream<Arguments> invalid() {
    Map<String, String> tooManyLabels = new HashMap<>();
    for (int i = 0; i < 65; i++) {
      tooManyLabels.put("k" + i, "v");
    }
    List<Endpoint> tooManyEndpoints = java.util.Collections.nCopies(1025, new Endpoint("10.0.0.1", null, null));
    return Stream.of(
        bad("namespace", () -> new ServiceKey("", "web")),
        bad("namespace", () -> new ServiceKey("-prod", "web")),
        bad("namespace", () -> new ServiceKey("node", "web")),
        bad("namespace", () -> new ServiceKey(null, "web")),
        bad("name", () -> new ServiceKey("prod", "web_1")),
        bad("name", () -> new ServiceKey("prod", "x".repeat(64))),
        bad("name", () -> new ServiceKey("prod", "web-")),
        bad("name", () -> new ServiceKey("prod", "w\u00e9b")),
        bad("service", () -> ServiceKey.parse("no-slash")),
        bad("port", () -> new ServicePort("http", Protocol.TCP, 0)),
        bad("port", () -> new ServicePort("http", Protocol.TCP, 65536)),
        bad("name", () -> new ServicePort("_http", Protocol.TCP, 80)),
        bad("protocol", () -> new ServicePort("http", null, 80)),
        bad("protocol", () -> Protocol.parse("protocol", "sctp")),
        bad("address", () -> new Endpoint("", null, null)),
        bad("address", () -> new Endpoint("300.1.1.1", null, null)),
        bad("address", () -> new Endpoint("host name", null, null)),
        bad("address", () -> new Endpoint("fe80::1%eth0", null, null)),
        bad("address", () -> new Endpoint("a".repeat(254), null, null)),
        bad("port", () -> new Endpoint("10.0.0.1", 0, null)),
        bad("weight", () -> new Endpoint("10.0.0.1", 80, 65536)),
        bad("labels", () -> spec(tooManyLabels)),
        bad("labels", () -> spec(Map.of("-bad", "v"))),
        bad("labels", () -> spec(Map.of("", "v"))),
        bad("labels.k", () -> spec(Map.of("k", "line\nbreak"))),
        bad("labels.k", () -> spec(Map.of("k", "x".repeat(1025)))),
        bad("ports", () -> new ServiceSpec(java.util.Collections.nCopies(65, new ServicePort(null, Protocol.TCP, 1)),
            List.of(), Map.of(), null, null)),
        bad("ports[1].name", () -> new ServiceSpec(List.of(new ServicePort("h", Protocol.TCP, 1),
            new ServicePort("h", Protocol.TCP, 2)), List.of(), Map.of(), null, null)),
        bad("endpoints", () -> new ServiceSpec(List.of(), tooManyEndpoints, Map.of(), null, null)),
        bad("id", () -> new NodeRecord("N_1", IpAddresses.parse("a", "10.0.0.1"), 1, 2, 3)),
        bad("dnsPort", () -> new NodeRecord("n1", IpAddresses.parse("a", "10.0.0.1"), 1, 2, 0)),
        bad("vip4", () -> IpAddresses.parse4("vip4", "1.2.3")),
        bad("vip4", () -> IpAddresses.parse4("vip4", "1.2.3.04.5")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "fd00::g")),
        bad("vip6", () -> IpAddresses.parse6("vip6", "::ffff:1.2.3.4")),
        bad("vip-hold-down", () -> new ClusterSettings(dev.quorumdns.registry.vip.VipPool.parse("v", "240.0.0.0/4"),
            null, -1)));
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
  }

  @Test
  void valuesAreNormalised() {
    assertEquals(new ServiceKey("prod", "web"), new ServiceKey("PROD", "Web"));
    assertEquals("web.prod.mesh.internal", new ServiceKey("prod", "web").fqdn("mesh.internal"));
    assertEquals("fd00:fd00::1", new Endpoint("FD00:FD00:0:0:0:0:0:1", null, null).address());
    assertEquals("2001:db8::1:0:0:1", IpAddresses.format(IpAddresses.parse("a", "2001:db8:0:0:1:0:0:1")));
    assertEquals("2001:db8:0:1:1:1:1:1", IpAddresses.format(IpAddresses.parse("a", "2001:db8:0:1:1:1:1:1")));
    assertEquals("::", IpAddresses.format(IpAddresses.parse("a", "::")));
    assertEquals("api.example.com", new Endpoint("API.Example.COM.", 443, 5).address());
    assertEquals("http", new ServicePort("HTTP", Protocol.parse("p", "TCP"), 80).name());
    ServiceSpec s = spec(Map.of("b", "2", "a", "1"));
    assertEquals(List.of("a", "b"), List.copyOf(s.labels().keySet()), "labels sorted by key");
    assertTrue(IpAddresses.parse("vip6", "fd00::1") instanceof Inet6Address);
    assertEquals("node", ServiceKey.RESERVED_NAMESPACE);
  }

  @Test
  void withoutVipsDropsOnlyTheRequests() {
    ServiceSpec s = new ServiceSpec(List.of(new ServicePort("h", Protocol.UDP, 53)), List.of(), Map.of("a", "b"),
        IpAddresses.parse4("vip4", "240.0.0.9"), null);
    ServiceSpec stored = s.withoutVips();
    assertEquals(s.ports(), stored.ports());
    assertEquals(null, stored.vip4());
  }
}
