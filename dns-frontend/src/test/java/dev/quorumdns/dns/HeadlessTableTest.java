package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.lookup.EndpointNames;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.state.Snapshots;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Headless services (docs/architecture.md, DNS) as a table of questions and zone-file answers, like
 * {@code ResolverTableTest}: the service name lists its passing and warning endpoints, each named
 * port has one SRV record per such endpoint, and each endpoint with an IP address has a name of its
 * own. Placeholders: {ttl}, {neg}, {min}, {serial}, {web4}.
 */
class HeadlessTableTest {
  private static final ServiceKey CACHE = new ServiceKey("shop", "cache");
  private static final String V6_LABEL = "fd00-0001-0000-0000-0000-0000-0000-0001";
  private static Path dir;
  private static Registry registry;
  private static Service web;
  private static DnsConfig config;
  private static QueryHandler handler;

  @BeforeAll
  static void setUp() throws IOException {
    dir = Files.createTempDirectory("quorumdns-headless");
    registry = TestRegistries.open(dir, ClusterSettings.defaults());
    List<ServicePort> ports =
        List.of(
            new ServicePort("redis", Protocol.TCP, 6379),
            new ServicePort(null, Protocol.TCP, 9121));
    TestRegistries.register(
        registry,
        "shop",
        "cache",
        headless(
            ports,
            new Endpoint("10.1.0.1", null, null),
            new Endpoint("10.1.0.2", 6380, 5, Health.WARNING, null),
            new Endpoint("10.1.0.3", null, null, Health.CRITICAL, null),
            new Endpoint("fd00:1::1", null, null),
            new Endpoint("cache-4.example.com", 7000, null),
            new Endpoint("10.1.0.1", 7001, null)));
    TestRegistries.register(
        registry,
        "shop",
        "gone",
        headless(ports, new Endpoint("10.2.0.1", null, null, Health.CRITICAL, null)));
    TestRegistries.register(registry, "shop", "none", headless(ports));
    web =
        TestRegistries.register(
            registry,
            "shop",
            "web",
            new ServiceSpec(
                ports, List.of(new Endpoint("10.3.0.1", 80, null)), Map.of(), null, null));
    config =
        DnsConfig.defaults(InetAddress.getLoopbackAddress(), 0, DnsFixture.DOMAIN, "n1")
            .withTtls(45, 20);
    handler =
        new QueryHandler(
            new Resolver(config, registry.view()), new DnsMetrics(new SimpleMeterRegistry()));
  }

  @AfterAll
  static void tearDown() throws IOException {
    registry.close();
    Snapshots.deleteTree(dir);
  }

  private static ServiceSpec headless(List<ServicePort> ports, Endpoint... endpoints) {
    return new ServiceSpec(ports, List.of(endpoints), Map.of(), null, null, true);
  }

  private static String fill(String text) {
    return text.replace("{ttl}", Integer.toString(config.ttlSeconds()))
        .replace(
            "{neg}", Integer.toString(Math.min(config.ttlSeconds(), config.negativeTtlSeconds())))
        .replace("{min}", Integer.toString(config.negativeTtlSeconds()))
        .replace("{serial}", Long.toString(registry.view().revision()))
        .replace("{web4}", IpAddresses.format(web.vip4()))
        .replace("{v6}", V6_LABEL);
  }

  private static final String SOA =
      ";; AUTHORITY\nmesh.internal. {neg} IN SOA n1.node.mesh.internal. "
          + "hostmaster.mesh.internal. {serial} 60 10 86400 {min}";

  static Stream<Arguments> table() {
    return Stream.of(
        row(
            "cache.shop.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            """
            ;; ANSWER
            cache.shop.mesh.internal. {ttl} IN A 10.1.0.1
            cache.shop.mesh.internal. {ttl} IN A 10.1.0.2
            """),
        row(
            "cache.shop.mesh.internal.",
            Type.AAAA,
            Rcode.NOERROR,
            """
            ;; ANSWER
            cache.shop.mesh.internal. {ttl} IN AAAA fd00:1::1
            """),
        row(
            "cache.shop.mesh.internal.",
            Type.ANY,
            Rcode.NOERROR,
            """
            ;; ANSWER
            cache.shop.mesh.internal. {ttl} IN HINFO "RFC8482" ""
            """),
        row("cache.shop.mesh.internal.", Type.TXT, Rcode.NOERROR, SOA),
        row(
            "_redis._tcp.cache.shop.mesh.internal.",
            Type.SRV,
            Rcode.NOERROR,
            """
            ;; ANSWER
            _redis._tcp.cache.shop.mesh.internal. {ttl} IN SRV 0 100 6379 10-1-0-1.cache.shop.mesh.internal.
            _redis._tcp.cache.shop.mesh.internal. {ttl} IN SRV 0 5 6380 10-1-0-2.cache.shop.mesh.internal.
            _redis._tcp.cache.shop.mesh.internal. {ttl} IN SRV 0 100 6379 {v6}.cache.shop.mesh.internal.
            _redis._tcp.cache.shop.mesh.internal. {ttl} IN SRV 0 100 7000 cache-4.example.com.
            _redis._tcp.cache.shop.mesh.internal. {ttl} IN SRV 0 100 7001 10-1-0-1.cache.shop.mesh.internal.
            ;; ADDITIONAL
            10-1-0-1.cache.shop.mesh.internal. {ttl} IN A 10.1.0.1
            10-1-0-2.cache.shop.mesh.internal. {ttl} IN A 10.1.0.2
            {v6}.cache.shop.mesh.internal. {ttl} IN AAAA fd00:1::1
            """),
        row("_tcp.cache.shop.mesh.internal.", Type.SRV, Rcode.NOERROR, SOA),
        row("_redis._udp.cache.shop.mesh.internal.", Type.SRV, Rcode.NXDOMAIN, SOA),
        row(
            "10-1-0-2.cache.shop.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            """
            ;; ANSWER
            10-1-0-2.cache.shop.mesh.internal. {ttl} IN A 10.1.0.2
            """),
        // An endpoint's own name answers whatever its health: selection happens at the service name
        // and SRV.
        row(
            "10-1-0-3.cache.shop.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            """
            ;; ANSWER
            10-1-0-3.cache.shop.mesh.internal. {ttl} IN A 10.1.0.3
            """),
        row("10-1-0-1.cache.shop.mesh.internal.", Type.AAAA, Rcode.NOERROR, SOA),
        row(
            "{v6}.cache.shop.mesh.internal.",
            Type.AAAA,
            Rcode.NOERROR,
            """
            ;; ANSWER
            {v6}.cache.shop.mesh.internal. {ttl} IN AAAA fd00:1::1
            """),
        row(
            "10-1-0-1.cache.shop.mesh.internal.",
            Type.ANY,
            Rcode.NOERROR,
            """
            ;; ANSWER
            10-1-0-1.cache.shop.mesh.internal. {ttl} IN HINFO "RFC8482" ""
            """),
        row("10-1-0-9.cache.shop.mesh.internal.", Type.A, Rcode.NXDOMAIN, SOA),
        row("fd00--1.cache.shop.mesh.internal.", Type.AAAA, Rcode.NXDOMAIN, SOA),
        row("010-1-0-1.cache.shop.mesh.internal.", Type.A, Rcode.NXDOMAIN, SOA),
        row("cache-4.cache.shop.mesh.internal.", Type.A, Rcode.NXDOMAIN, SOA),
        row("x.10-1-0-1.cache.shop.mesh.internal.", Type.A, Rcode.NXDOMAIN, SOA),
        // Every endpoint critical, or none at all: the name exists without addresses.
        row("gone.shop.mesh.internal.", Type.A, Rcode.NOERROR, SOA),
        row("_redis._tcp.gone.shop.mesh.internal.", Type.SRV, Rcode.NOERROR, SOA),
        row(
            "10-2-0-1.gone.shop.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            """
            ;; ANSWER
            10-2-0-1.gone.shop.mesh.internal. {ttl} IN A 10.2.0.1
            """),
        row("none.shop.mesh.internal.", Type.A, Rcode.NOERROR, SOA),
        row("none.shop.mesh.internal.", Type.AAAA, Rcode.NOERROR, SOA),
        // A service with a VIP publishes its VIP and no endpoint names.
        row(
            "web.shop.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            """
            ;; ANSWER
            web.shop.mesh.internal. {ttl} IN A {web4}
            """),
        row("10-3-0-1.web.shop.mesh.internal.", Type.A, Rcode.NXDOMAIN, SOA));
  }

  private static Arguments row(String name, int type, int rcode, String sections) {
    return Arguments.of(name, type, rcode, sections);
  }

  /** Parses ";; ANSWER", ";; AUTHORITY", ";; ADDITIONAL" blocks of zone-file lines. */
  private static List<List<String>> sections(String text) {
    List<List<String>> out =
        new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
    int current = -1;
    for (String raw : fill(text).split("\n")) {
      String line = raw.trim().replaceAll("\\s+", " ");
      if (line.isEmpty()) {
        continue;
      }
      switch (line) {
        case ";; ANSWER" -> current = 0;
        case ";; AUTHORITY" -> current = 1;
        case ";; ADDITIONAL" -> current = 2;
        default -> out.get(current).add(line);
      }
    }
    out.forEach(l -> l.sort(null));
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("table")
  void answersAsSpecified(String name, int type, int rcode, String expected) throws IOException {
    Message m = ResolverTableTest.ask(handler, fill(name), type);
    String what = fill(name) + " " + Type.string(type) + " ->\n" + m;
    assertEquals(Rcode.string(rcode), Rcode.string(m.getRcode()), what);
    assertTrue(m.getHeader().getFlag(Flags.AA), "AA of " + what);
    List<List<String>> want = sections(expected);
    assertEquals(want.get(0), DnsFixture.lines(m, Section.ANSWER), "answer of " + what);
    assertEquals(want.get(1), DnsFixture.lines(m, Section.AUTHORITY), "authority of " + what);
    assertEquals(want.get(2), DnsFixture.lines(m, Section.ADDITIONAL), "additional of " + what);
    Message again = ResolverTableTest.ask(handler, fill(name), type);
    assertEquals(
        Arrays.toString(m.toWire()), Arrays.toString(again.toWire()), "cached answer of " + what);
  }

  @ParameterizedTest(name = "{0} <-> {1}")
  @CsvSource({
    "10.1.0.5, 10-1-0-5",
    "255.255.255.255, 255-255-255-255",
    "0.0.0.0, 0-0-0-0",
    "fd00::1, fd00-0000-0000-0000-0000-0000-0000-0001",
    "::, 0000-0000-0000-0000-0000-0000-0000-0000",
    "2001:db8:0:ff::, 2001-0db8-0000-00ff-0000-0000-0000-0000"
  })
  void everyAddressHasOneLabelAndBack(String address, String label) {
    InetAddress a = IpAddresses.parse("a", address);
    assertEquals(label, EndpointNames.label(a));
    assertEquals(a, EndpointNames.address(label));
  }

  @ParameterizedTest
  @CsvSource({
    "10-1-0",
    "10-1-0-5-6",
    "10-1-0-256",
    "10-01-0-5",
    "fd00--1",
    "fd00-0-0-0-0-0-0-1",
    "FD00-0000-0000-0000-0000-0000-0000-0001",
    "fd00-0000-0000-0000-0000-0000-0000-000g",
    "a-b-c-d",
    "-1-0-0-1"
  })
  void otherSpellingsAreNoLabels(String label) {
    assertEquals(null, EndpointNames.address(label), label);
  }

  /**
   * A health change is a change of the service: its names answer anew at once, and the cached
   * answers of other names stay (they are checked against their own service's revision).
   */
  @Test
  void healthChangesAreAnsweredAtOnceAndInvalidateOnlyThatService(@TempDir Path other)
      throws IOException {
    Registry r = TestRegistries.open(other, ClusterSettings.defaults());
    TestRegistries.register(
        r,
        "shop",
        "cache",
        headless(
            List.of(new ServicePort("redis", Protocol.TCP, 6379)),
            new Endpoint("10.1.0.1", null, null),
            new Endpoint("10.1.0.2", null, null)));
    TestRegistries.register(
        r, "shop", "web", new ServiceSpec(List.of(), List.of(), Map.of(), null, null));
    DnsMetrics metrics = new DnsMetrics(new SimpleMeterRegistry());
    QueryHandler h = new QueryHandler(new Resolver(config, r.view()), metrics);
    assertEquals(List.of("10.1.0.1", "10.1.0.2"), addresses(h, "cache.shop.mesh.internal."));
    String webA = addresses(h, "web.shop.mesh.internal.").get(0);
    addresses(h, "web.shop.mesh.internal.");
    double hits = metrics.cacheHitCount();

    TestRegistries.apply(
        r, new Command.SetEndpointHealth(CACHE, "10.1.0.2", null, Health.CRITICAL));
    assertEquals(List.of("10.1.0.1"), addresses(h, "cache.shop.mesh.internal."));
    assertEquals(hits, metrics.cacheHitCount(), "the cache's answer was not served");
    assertEquals(List.of(webA), addresses(h, "web.shop.mesh.internal."));
    assertEquals(
        hits + 1,
        metrics.cacheHitCount(),
        "another service's answer is still served from the cache");

    TestRegistries.apply(
        r, new Command.SetEndpointHealth(CACHE, "10.1.0.1", null, Health.CRITICAL));
    Message none = ResolverTableTest.ask(h, "cache.shop.mesh.internal.", Type.A);
    assertEquals(Rcode.NOERROR, none.getRcode(), "NODATA: the name exists");
    assertEquals(List.of(), none.getSection(Section.ANSWER));
    TestRegistries.apply(r, new Command.SetEndpointHealth(CACHE, "10.1.0.2", null, Health.WARNING));
    assertEquals(List.of("10.1.0.2"), addresses(h, "cache.shop.mesh.internal."));
    r.close();
  }

  @Test
  void theRecordListHasTheEndpointNamesAndNoPtr() {
    List<String> records =
        ZoneRecords.enumerate(registry.view(), config).stream()
            .filter(rec -> rec.getName().toString().contains("cache.shop"))
            .map(Record::toString)
            .map(t -> t.replaceAll("\\s+", " "))
            .sorted()
            .toList();
    assertTrue(
        records.contains(fill("10-1-0-3.cache.shop.mesh.internal. {ttl} IN A 10.1.0.3")),
        records.toString());
    assertTrue(
        records.contains(fill("cache.shop.mesh.internal. {ttl} IN A 10.1.0.2")),
        records.toString());
    assertEquals(
        0,
        ZoneRecords.enumerate(registry.view(), config).stream()
                .filter(rec -> rec.getType() == Type.PTR)
                .count()
            - 2,
        "only web's two VIPs have PTR records");
  }

  private static List<String> addresses(QueryHandler h, String name) throws IOException {
    return ResolverTableTest.ask(h, name, Type.A).getSection(Section.ANSWER).stream()
        .map(Record::rdataToString)
        .sorted()
        .toList();
  }
}
