package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Every row of docs/architecture.md, as a table: a question, then the expected rcode, flags and
 * sections written as zone-file text. Placeholders: {ttl} and {neg} (TTLs from the config used),
 * {serial}, and the VIPs.
 */
class ResolverTableTest {
  @RegisterExtension static final DnsFixture.PerClass FX = new DnsFixture.PerClass(0);
  static QueryHandler handler;

  @BeforeAll
  static void setUp() {
    handler =
        new QueryHandler(
            new Resolver(FX.get().config, FX.get().registry.view()),
            new DnsMetrics(new SimpleMeterRegistry()));
  }

  static Message ask(QueryHandler h, String name, int type) throws IOException {
    AtomicReference<byte[]> out = new AtomicReference<>();
    h.handle(DnsFixture.query(name, type, 4242), Transport.UDP, out::set);
    assertNotNull(out.get(), "no answer to " + name);
    return new Message(out.get());
  }

  private static String fill(String text) {
    return text.replace("{ttl}", Integer.toString(FX.get().config.ttlSeconds()))
        .replace(
            "{neg}",
            Integer.toString(
                Math.min(FX.get().config.ttlSeconds(), FX.get().config.negativeTtlSeconds())))
        .replace("{min}", Integer.toString(FX.get().config.negativeTtlSeconds()))
        .replace("{serial}", Long.toString(FX.get().registry.view().revision()))
        .replace("{web4}", IpAddresses.format(FX.get().web.vip4()))
        .replace("{web6}", IpAddresses.format(FX.get().web.vip6()))
        .replace("{web4rev}", ReverseMap.fromAddress(FX.get().web.vip4()).toString())
        .replace("{web6rev}", ReverseMap.fromAddress(FX.get().web.vip6()).toString());
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

  static final String SOA =
      "mesh.internal. {neg} IN SOA n1.node.mesh.internal. hostmaster.mesh.internal. "
          + "{serial} 60 10 86400 {min}";

  static Stream<Arguments> table() {
    return Stream.of(
        row(
            "web.prod.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            web.prod.mesh.internal. {ttl} IN A {web4}
            """),
        row(
            "web.prod.mesh.internal.",
            Type.AAAA,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            web.prod.mesh.internal. {ttl} IN AAAA {web6}
            """),
        row(
            "db.prod.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            db.prod.mesh.internal. {ttl} IN A 240.0.0.10
            """),
        row(
            "_http._tcp.web.prod.mesh.internal.",
            Type.SRV,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            _http._tcp.web.prod.mesh.internal. {ttl} IN SRV 0 100 80 web.prod.mesh.internal.
            ;; ADDITIONAL
            web.prod.mesh.internal. {ttl} IN A {web4}
            web.prod.mesh.internal. {ttl} IN AAAA {web6}
            """),
        row(
            "_dns._udp.web.prod.mesh.internal.",
            Type.SRV,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            _dns._udp.web.prod.mesh.internal. {ttl} IN SRV 0 100 53 web.prod.mesh.internal.
            ;; ADDITIONAL
            web.prod.mesh.internal. {ttl} IN A {web4}
            web.prod.mesh.internal. {ttl} IN AAAA {web6}
            """),
        row(
            "_http._udp.web.prod.mesh.internal.",
            Type.SRV,
            Rcode.NXDOMAIN,
            "aa",
            ";; AUTHORITY\n" + SOA),
        row(
            "_dns._tcp.web.prod.mesh.internal.",
            Type.SRV,
            Rcode.NXDOMAIN,
            "aa",
            ";; AUTHORITY\n" + SOA),
        row("_tcp.web.prod.mesh.internal.", Type.SRV, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row(
            "_http._tcp.web.prod.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            "aa",
            ";; AUTHORITY\n" + SOA),
        row(
            "{web4rev}",
            Type.PTR,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            {web4rev} {ttl} IN PTR web.prod.mesh.internal.
            """),
        row(
            "{web6rev}",
            Type.PTR,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            {web6rev} {ttl} IN PTR web.prod.mesh.internal.
            """),
        row(
            "10.0.0.240.in-addr.arpa.",
            Type.PTR,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            10.0.0.240.in-addr.arpa. {ttl} IN PTR db.prod.mesh.internal.
            """),
        row(
            "11.0.0.240.in-addr.arpa.",
            Type.PTR,
            Rcode.NXDOMAIN,
            "aa",
            """
            ;; AUTHORITY
            240.in-addr.arpa. {neg} IN SOA n1.node.mesh.internal. hostmaster.mesh.internal. {serial} 60 10 86400 {min}
            """),
        row(
            "0.240.in-addr.arpa.",
            Type.PTR,
            Rcode.NOERROR,
            "aa",
            """
            ;; AUTHORITY
            240.in-addr.arpa. {neg} IN SOA n1.node.mesh.internal. hostmaster.mesh.internal. {serial} 60 10 86400 {min}
            """),
        row("10.0.0.10.in-addr.arpa.", Type.PTR, Rcode.REFUSED, "", ""),
        row(
            "mesh.internal.",
            Type.SOA,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            mesh.internal. {ttl} IN SOA n1.node.mesh.internal. hostmaster.mesh.internal. {serial} 60 10 86400 {min}
            """),
        row(
            "mesh.internal.",
            Type.NS,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            mesh.internal. {ttl} IN NS n1.node.mesh.internal.
            mesh.internal. {ttl} IN NS n2.node.mesh.internal.
            ;; ADDITIONAL
            n1.node.mesh.internal. {ttl} IN A 127.0.0.11
            n2.node.mesh.internal. {ttl} IN AAAA fd00::2
            """),
        row(
            "240.in-addr.arpa.",
            Type.NS,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            240.in-addr.arpa. {ttl} IN NS n1.node.mesh.internal.
            240.in-addr.arpa. {ttl} IN NS n2.node.mesh.internal.
            ;; ADDITIONAL
            n1.node.mesh.internal. {ttl} IN A 127.0.0.11
            n2.node.mesh.internal. {ttl} IN AAAA fd00::2
            """),
        row(
            "n1.node.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            n1.node.mesh.internal. {ttl} IN A 127.0.0.11
            """),
        row(
            "n3.node.mesh.internal.",
            Type.A,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            n3.node.mesh.internal. {ttl} IN A 127.0.0.13
            """),
        row(
            "n2.node.mesh.internal.",
            Type.AAAA,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            n2.node.mesh.internal. {ttl} IN AAAA fd00::2
            """),
        row("n1.node.mesh.internal.", Type.AAAA, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row("n9.node.mesh.internal.", Type.A, Rcode.NXDOMAIN, "aa", ";; AUTHORITY\n" + SOA),
        row("node.mesh.internal.", Type.A, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row("web.prod.mesh.internal.", Type.MX, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row("web.prod.mesh.internal.", Type.TXT, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row("nope.prod.mesh.internal.", Type.A, Rcode.NXDOMAIN, "aa", ";; AUTHORITY\n" + SOA),
        row("web.nope.mesh.internal.", Type.A, Rcode.NXDOMAIN, "aa", ";; AUTHORITY\n" + SOA),
        row("a.b.web.prod.mesh.internal.", Type.A, Rcode.NXDOMAIN, "aa", ";; AUTHORITY\n" + SOA),
        row("prod.mesh.internal.", Type.A, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row("nope.mesh.internal.", Type.A, Rcode.NXDOMAIN, "aa", ";; AUTHORITY\n" + SOA),
        row("mesh.internal.", Type.A, Rcode.NOERROR, "aa", ";; AUTHORITY\n" + SOA),
        row("bad_label.prod.mesh.internal.", Type.A, Rcode.NXDOMAIN, "aa", ";; AUTHORITY\n" + SOA),
        row(
            "web.prod.mesh.internal.",
            Type.ANY,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            web.prod.mesh.internal. {ttl} IN HINFO "RFC8482" ""
            """),
        row("example.com.", Type.A, Rcode.REFUSED, "", ""),
        row("internal.", Type.SOA, Rcode.REFUSED, "", ""),
        row(
            "WeB.PrOd.MeSh.InTeRnAl.",
            Type.A,
            Rcode.NOERROR,
            "aa",
            """
            ;; ANSWER
            WeB.PrOd.MeSh.InTeRnAl. {ttl} IN A {web4}
            """));
  }

  private static Arguments row(String name, int type, int rcode, String flags, String sections) {
    return Arguments.of(name, type, rcode, flags, sections);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("table")
  void answersAsSpecified(String name, int type, int rcode, String flags, String expected)
      throws IOException {
    Message m = ask(handler, fill(name), type);
    String what = fill(name) + " " + Type.string(type) + " ->\n" + m;
    assertEquals(Rcode.string(rcode), Rcode.string(m.getRcode()), what);
    assertEquals(flags.contains("aa"), m.getHeader().getFlag(Flags.AA), "AA of " + what);
    assertEquals(false, m.getHeader().getFlag(Flags.RA), "RA of " + what);
    assertEquals(true, m.getHeader().getFlag(Flags.QR), "QR of " + what);
    assertEquals(4242, m.getHeader().getID(), what);
    assertEquals(
        fill(name), m.getQuestion().getName().toString(), "question echoed with its case: " + what);
    List<List<String>> want = sections(expected);
    assertEquals(want.get(0), DnsFixture.lines(m, Section.ANSWER), "answer of " + what);
    assertEquals(want.get(1), DnsFixture.lines(m, Section.AUTHORITY), "authority of " + what);
    assertEquals(want.get(2), DnsFixture.lines(m, Section.ADDITIONAL), "additional of " + what);
    // The same question again comes from the cache and must be identical but for nothing at all.
    Message again = ask(handler, fill(name), type);
    assertEquals(
        Arrays.toString(m.toWire()), Arrays.toString(again.toWire()), "cached answer of " + what);
  }

  @Test
  void caseIsEchoedFromTheCacheToo() throws IOException {
    ask(handler, "web.prod.mesh.internal.", Type.A);
    Message m = ask(handler, "WEB.prod.MESH.internal.", Type.A);
    assertEquals("WEB.prod.MESH.internal.", m.getQuestion().getName().toString());
    assertEquals(
        IpAddresses.format(FX.get().web.vip4()),
        m.getSection(Section.ANSWER).get(0).rdataToString());
  }

  @Test
  void writesAreNeverAnsweredFromAStaleCacheEntry(@TempDir Path other) throws IOException {
    try (DnsFixture f = new DnsFixture(other, 0)) {
      QueryHandler h =
          new QueryHandler(
              new Resolver(f.config, f.registry.view()), new DnsMetrics(new SimpleMeterRegistry()));
      assertEquals(Rcode.NXDOMAIN, ask(h, "new.prod.mesh.internal.", Type.A).getRcode());
      TestRegistries.register(f.registry, "prod", "new", ServiceSpec.ofPorts());
      assertEquals(
          Rcode.NOERROR,
          ask(h, "new.prod.mesh.internal.", Type.A).getRcode(),
          "NXDOMAIN was cached");
      long serial =
          ((org.xbill.DNS.SOARecord)
                  ask(h, "mesh.internal.", Type.SOA).getSection(Section.ANSWER).get(0))
              .getSerial();
      TestRegistries.apply(f.registry, new Command.DeleteService(new ServiceKey("prod", "new")));
      assertEquals(
          Rcode.NXDOMAIN, ask(h, "new.prod.mesh.internal.", Type.A).getRcode(), "A was cached");
      long after =
          ((org.xbill.DNS.SOARecord)
                  ask(h, "mesh.internal.", Type.SOA).getSection(Section.ANSWER).get(0))
              .getSerial();
      assertEquals(serial + 1, after, "the SOA serial is the registry revision");
    }
  }

  @Test
  void aReplicaThatHasNotLoadedAnswersServfailNeverNxdomain(@TempDir Path empty)
      throws IOException {
    Registry unloaded = new Registry(empty, new SimpleMeterRegistry());
    QueryHandler h =
        new QueryHandler(
            new Resolver(FX.get().config, unloaded.view()),
            new DnsMetrics(new SimpleMeterRegistry()));
    for (String n : List.of("web.prod.mesh.internal.", "nope.mesh.internal.", "mesh.internal.")) {
      Message m = ask(h, n, Type.A);
      assertEquals(Rcode.SERVFAIL, m.getRcode(), n);
      assertEquals(false, m.getHeader().getFlag(Flags.AA), n);
    }
    assertEquals(Rcode.REFUSED, ask(h, "example.com.", Type.A).getRcode());
  }
}
