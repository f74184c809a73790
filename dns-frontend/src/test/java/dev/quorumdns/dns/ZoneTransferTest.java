package dev.quorumdns.dns;

import static dev.quorumdns.dns.TransferHelpers.SECONDARY;
import static dev.quorumdns.dns.TransferHelpers.STRANGER;
import static dev.quorumdns.dns.TransferHelpers.ZONE;
import static dev.quorumdns.dns.TransferHelpers.ask;
import static dev.quorumdns.dns.TransferHelpers.assertRcode;
import static dev.quorumdns.dns.TransferHelpers.axfr;
import static dev.quorumdns.dns.TransferHelpers.ixfr;
import static dev.quorumdns.dns.TransferHelpers.lines;
import static dev.quorumdns.dns.TransferHelpers.parse;
import static dev.quorumdns.dns.TransferHelpers.records;
import static dev.quorumdns.dns.TransferHelpers.wire;
import static dev.quorumdns.dns.TransferHelpers.zoneText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.dns.transfer.TransferMetrics.Result;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * AXFR and IXFR at the handler (no sockets): what a zone transfer contains, written as zone-file
 * text; how an answer is cut into messages; IXFR condensation and fallbacks; and who is refused.
 * The registry is {@link DnsFixture}'s (TTL 45, negative TTL 20). TSIG is in {@link
 * TsigTransferTest}.
 */
class ZoneTransferTest {
  @TempDir Path dir;
  private DnsFixture fx;
  private DnsConfig config;
  private SimpleMeterRegistry meters;
  private ZoneTransfers transfers;
  private QueryHandler handler;

  @BeforeEach
  void setUp() {
    fx = new DnsFixture(dir, 0);
    open(TransferHelpers.config(null, false, 10));
  }

  private void open(TransferConfig tc) {
    if (transfers != null) {
      transfers.close();
    }
    config = fx.config.withTransfers(tc);
    meters = new SimpleMeterRegistry();
    transfers = TransferHelpers.transfers(config, fx.registry, meters);
    handler = TransferHelpers.handler(config, fx.registry, transfers);
  }

  @AfterEach
  void tearDown() {
    transfers.close();
    fx.close();
  }

  private String fill(String text) {
    return text.replace("{serial}", Long.toString(fx.registry.view().revision()))
        .replace("{web4}", IpAddresses.format(fx.web.vip4()))
        .replace("{web6}", IpAddresses.format(fx.web.vip6()))
        .replace("{web6rev}", ReverseMap.fromAddress(fx.web.vip6()).toString())
        .replace("{db6rev}", ReverseMap.fromAddress(fx.db.vip6()).toString());
  }

  private static final String SOA =
      "mesh.internal. 45 IN SOA node.mesh.internal. hostmaster.mesh.internal. "
          + "{serial} 60 10 86400 20";

  @Test
  void anAxfrIsTheWholeZoneBetweenTwoSoas() {
    List<byte[]> answer = ask(handler, wire(axfr(ZONE, 7), null), Transport.TCP, SECONDARY);
    assertEquals(
        zoneText(
            fill(
                SOA
                    + """

        mesh.internal. 45 IN NS n1.node.mesh.internal.
        mesh.internal. 45 IN NS n2.node.mesh.internal.
        mesh.internal. 45 IN NS n3.node.mesh.internal.
        n1.node.mesh.internal. 45 IN A 127.0.0.11
        n2.node.mesh.internal. 45 IN AAAA fd00::2
        n3.node.mesh.internal. 45 IN A 127.0.0.13
        db.prod.mesh.internal. 45 IN A 240.0.0.10
        db.prod.mesh.internal. 45 IN AAAA fd00:fd00::10
        _pg._tcp.db.prod.mesh.internal. 45 IN SRV 0 100 5432 db.prod.mesh.internal.
        web.prod.mesh.internal. 45 IN A {web4}
        web.prod.mesh.internal. 45 IN AAAA {web6}
        _http._tcp.web.prod.mesh.internal. 45 IN SRV 0 100 80 web.prod.mesh.internal.
        _dns._udp.web.prod.mesh.internal. 45 IN SRV 0 100 53 web.prod.mesh.internal.
        """
                    + SOA)),
        lines(records(answer)));
    Message first = parse(answer.get(0));
    assertEquals(7, first.getHeader().getID());
    assertTrue(first.getHeader().getFlag(Flags.QR) && first.getHeader().getFlag(Flags.AA));
    assertEquals(Rcode.NOERROR, first.getRcode());
    assertEquals(ZONE, first.getQuestion().getName());
    assertEquals(
        1,
        meters
            .find("quorumdns.dns.transfers")
            .tag("type", "axfr")
            .tag("result", "full")
            .counter()
            .count());
  }

  @Test
  void aReverseZoneHoldsThePtrsOfItsVips() {
    List<byte[]> answer =
        ask(
            handler,
            wire(axfr(TransferHelpers.name("0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa."), 1), null),
            Transport.TCP,
            SECONDARY);
    String apex = "0.0.0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa.";
    String soa =
        apex + " 45 IN SOA node.mesh.internal. hostmaster.mesh.internal. {serial} 60 10 86400 20\n";
    List<String> ptrs =
        new ArrayList<>(
            List.of(
                "{db6rev} 45 IN PTR db.prod.mesh.internal.",
                "{web6rev} 45 IN PTR web.prod.mesh.internal."));
    if (compareAddresses(fx.web.vip6().getAddress(), fx.db.vip6().getAddress()) < 0) {
      ptrs = List.of(ptrs.get(1), ptrs.get(0)); // address order
    }
    assertEquals(
        zoneText(
            fill(
                soa
                    + apex
                    + " 45 IN NS n1.node.mesh.internal.\n"
                    + apex
                    + " 45 IN NS n2.node.mesh.internal.\n"
                    + apex
                    + " 45 IN NS n3.node.mesh.internal.\n"
                    + String.join("\n", ptrs)
                    + "\n"
                    + soa)),
        lines(records(answer)));
  }

  private static int compareAddresses(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  @Test
  void anAxfrOtherThanOurApexesIsNotAuthAndOverUdpRefused() {
    assertRcode(
        Rcode.NOTAUTH,
        ask(
            handler,
            wire(axfr(TransferHelpers.name("web.prod.mesh.internal."), 1), null),
            Transport.TCP,
            SECONDARY));
    assertRcode(
        Rcode.NOTAUTH,
        ask(
            handler,
            wire(axfr(TransferHelpers.name("example.com."), 1), null),
            Transport.TCP,
            SECONDARY));
    assertRcode(
        Rcode.NOTAUTH,
        ask(
            handler,
            wire(axfr(TransferHelpers.name("in-addr.arpa."), 1), null),
            Transport.TCP,
            SECONDARY));
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 1), null), Transport.UDP, SECONDARY));
    assertRcode(
        Rcode.REFUSED, ask(handler, wire(ixfr(ZONE, 1, 1), null), Transport.UDP, SECONDARY));
  }

  @Test
  void transfersAreRefusedByDefaultAndOutsideTransferAllow() {
    open(TransferConfig.disabled());
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 1), null), Transport.TCP, SECONDARY));
    open(TransferHelpers.config(null, false, 10));
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 1), null), Transport.TCP, STRANGER));
    assertRcode(Rcode.REFUSED, ask(handler, wire(axfr(ZONE, 1), null), Transport.TCP, null));
    assertEquals(2, transfers.metrics().transfers("axfr", Result.REFUSED));
    QueryHandler without =
        new QueryHandler(
            new Resolver(config, fx.registry.view()), new DnsMetrics(new SimpleMeterRegistry()));
    assertRcode(Rcode.REFUSED, ask(without, wire(axfr(ZONE, 1), null), Transport.TCP, SECONDARY));
  }

  @Test
  void aBigZoneComesInSeveralMessagesEachWithinTheLimit() {
    for (int i = 0; i < 3000; i++) {
      TestRegistries.register(
          fx.registry,
          "bulk",
          "svc-" + i,
          new ServiceSpec(
              List.of(new ServicePort("http", Protocol.TCP, 8080)),
              List.of(),
              Map.of(),
              null,
              null));
    }
    List<byte[]> answer = ask(handler, wire(axfr(ZONE, 4242), null), Transport.TCP, SECONDARY);
    assertTrue(answer.size() > 5, answer.size() + " messages");
    List<Record> all = new ArrayList<>();
    for (int i = 0; i < answer.size(); i++) {
      byte[] m = answer.get(i);
      assertTrue(m.length <= 65535, "message " + i + ": " + m.length + " bytes");
      Message msg = parse(m);
      assertEquals(4242, msg.getHeader().getID(), "message " + i);
      assertTrue(
          msg.getHeader().getFlag(Flags.QR) && msg.getHeader().getFlag(Flags.AA), "message " + i);
      assertEquals(
          i == 0 ? 1 : 0, msg.getHeader().getCount(Section.QUESTION), "question in the first only");
      assertFalse(msg.getSection(Section.ANSWER).isEmpty(), "message " + i + " carries records");
      all.addAll(msg.getSection(Section.ANSWER));
    }
    assertEquals(Type.SOA, all.get(0).getType());
    assertEquals(Type.SOA, all.get(all.size() - 1).getType());
    assertEquals(
        0,
        all.subList(1, all.size() - 1).stream().filter(r -> r.getType() == Type.SOA).count(),
        "SOA only first and last");
    // 2 SOA + 3 NS + 3 nodes + web (A, AAAA, 2 SRV) + db (A, AAAA, SRV) + 3000 x (A, AAAA, SRV)
    assertEquals(2 + 3 + 3 + 4 + 3 + 3000 * 3, all.size());
    assertEquals(all.size() - 1, new HashSet<>(all).size(), "no record twice but the SOA");
  }

  @Test
  void aTransferShowsOneRevisionWhileWritesGoOn() {
    for (int i = 0; i < 2000; i++) {
      TestRegistries.register(fx.registry, "bulk", "svc-" + i, ServiceSpec.ofPorts());
    }
    long serial = fx.registry.view().revision();
    ZoneTransfers.Response r =
        transfers.respond(axfr(ZONE, 1), wire(axfr(ZONE, 1), null), SECONDARY, true);
    List<Record> read = new ArrayList<>();
    try (var stream = r.stream()) {
      int n = 0;
      for (byte[] m = stream.next(); m != null; m = stream.next()) {
        read.addAll(parse(m).getSection(Section.ANSWER));
        if (n++ % 2 == 0) {
          TestRegistries.register(fx.registry, "late", "x" + n, ServiceSpec.ofPorts());
          TestRegistries.deregister(fx.registry, "bulk", "svc-" + n);
        }
      }
    }
    assertTrue(fx.registry.view().revision() > serial + 4);
    assertEquals(serial, ((SOARecord) read.get(0)).getSerial());
    assertEquals(serial, ((SOARecord) read.get(read.size() - 1)).getSerial());
    assertEquals(
        2 + 3 + 3 + 4 + 3 + 2000 * 2,
        read.size(),
        "every service of the first revision, none later");
    assertTrue(read.stream().noneMatch(x -> x.getName().toString().contains("late")));
  }

  @Test
  void anIxfrIsOneCondensedDifference() {
    long from = fx.registry.view().revision();
    // web changes three times, ends with port 8080 instead of 80 and without dns/udp; db goes; a
    // new name comes
    // and goes (nothing of it in the difference); api arrives.
    ServiceSpec v2 =
        new ServiceSpec(
            List.of(new ServicePort("http", Protocol.TCP, 8081)), List.of(), Map.of(), null, null);
    ServiceSpec v3 =
        new ServiceSpec(
            List.of(new ServicePort("http", Protocol.TCP, 8080)),
            List.of(),
            Map.of("team", "web"),
            null,
            null);
    TestRegistries.register(fx.registry, "prod", "web", v2);
    TestRegistries.register(fx.registry, "prod", "web", v3);
    TestRegistries.register(
        fx.registry, "prod", "web", new ServiceSpec(v3.ports(), List.of(), Map.of(), null, null));
    TestRegistries.deregister(fx.registry, "prod", "db");
    TestRegistries.register(fx.registry, "tmp", "gone", ServiceSpec.ofPorts());
    TestRegistries.deregister(fx.registry, "tmp", "gone");
    var api = TestRegistries.register(fx.registry, "prod", "api", ServiceSpec.ofPorts());
    List<byte[]> answer = ask(handler, wire(ixfr(ZONE, from, 9), null), Transport.TCP, SECONDARY);
    String oldSoa = SOA.replace("{serial}", Long.toString(from));
    assertEquals(
        zoneText(
            fill(
                SOA
                    + "\n"
                    + oldSoa
                    + """

        db.prod.mesh.internal. 45 IN A 240.0.0.10
        db.prod.mesh.internal. 45 IN AAAA fd00:fd00::10
        _pg._tcp.db.prod.mesh.internal. 45 IN SRV 0 100 5432 db.prod.mesh.internal.
        _http._tcp.web.prod.mesh.internal. 45 IN SRV 0 100 80 web.prod.mesh.internal.
        _dns._udp.web.prod.mesh.internal. 45 IN SRV 0 100 53 web.prod.mesh.internal.
        """
                    + SOA
                    + "\n"
                    + "api.prod.mesh.internal. 45 IN A "
                    + IpAddresses.format(api.vip4())
                    + "\n"
                    + "api.prod.mesh.internal. 45 IN AAAA "
                    + IpAddresses.format(api.vip6())
                    + "\n"
                    + "_http._tcp.web.prod.mesh.internal. 45 IN SRV 0 100 8080 web.prod.mesh.internal.\n"
                    + SOA)),
        lines(records(answer)));
    assertEquals(1, transfers.metrics().transfers("ixfr", Result.INCREMENTAL));
  }

  @Test
  void anIxfrFromTheCurrentSerialOrANewerOneIsOurSoaAlone() {
    long serial = fx.registry.view().revision();
    for (long theirs : new long[] {serial, serial + 1, serial + (1L << 31) - 1}) {
      List<byte[]> answer =
          ask(handler, wire(ixfr(ZONE, theirs & 0xffffffffL, 3), null), Transport.TCP, SECONDARY);
      assertEquals(1, answer.size());
      assertEquals(zoneText(fill(SOA)), lines(records(answer)), "their serial " + theirs);
    }
    assertEquals(3, transfers.metrics().transfers("ixfr", Result.CURRENT));
  }

  @Test
  void anIxfrAcrossANodeChangeIsTheWholeZone() {
    long before = fx.registry.view().revision();
    TestRegistries.register(fx.registry, "prod", "api", ServiceSpec.ofPorts());
    long afterApi = fx.registry.view().revision();
    TestRegistries.apply(
        fx.registry,
        new Command.PutNode(
            new NodeRecord("n4", IpAddresses.parse("a", "127.0.0.14"), 9053, 8053, 53535)));
    List<Record> across =
        records(ask(handler, wire(ixfr(ZONE, afterApi, 3), null), Transport.TCP, SECONDARY));
    assertEquals(Type.NS, across.get(1).getType(), "the whole zone: SOA, then NS");
    assertTrue(lines(across).contains("n4.node.mesh.internal. 45 IN A 127.0.0.14"));
    List<Record> old =
        records(ask(handler, wire(ixfr(ZONE, before - 3, 3), null), Transport.TCP, SECONDARY));
    assertEquals(Type.NS, old.get(1).getType());
    assertEquals(2, transfers.metrics().transfers("ixfr", Result.FULL));
    // After the node change, differences are available again.
    TestRegistries.register(fx.registry, "prod", "late", ServiceSpec.ofPorts());
    long afterNode = fx.registry.view().revision() - 1;
    List<Record> diff =
        records(ask(handler, wire(ixfr(ZONE, afterNode, 3), null), Transport.TCP, SECONDARY));
    assertEquals(Type.SOA, diff.get(1).getType(), "a difference: new SOA, old SOA");
  }

  @Test
  void anIxfrFromASerialTheChangeLogNoLongerCoversIsTheWholeZone() throws Exception {
    // A registry that keeps the last 5 changes (and nothing by age), its log times a minute apart.
    Registry small =
        new Registry(dir.resolve("small"), new SimpleMeterRegistry(), new Retention(5, 0, 2));
    small.load();
    long t = TestRegistries.T0;
    TestRegistries.apply(small, new Command.InitCluster(ClusterSettings.defaults()), t);
    TestRegistries.apply(
        small,
        new Command.PutNode(
            new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 9053, 8053, 53535)),
        t);
    long early = small.view().revision();
    for (int i = 0; i < 12; i++) {
      t += 60_000;
      TestRegistries.apply(
          small,
          new Command.UpsertService(new ServiceKey("ns", "s" + i), ServiceSpec.ofPorts()),
          t);
    }
    long recent = small.view().revision() - 3;
    try (ZoneTransfers own = TransferHelpers.transfers(config, small, new SimpleMeterRegistry())) {
      QueryHandler h = TransferHelpers.handler(config, small, own);
      List<Record> old =
          records(ask(h, wire(ixfr(ZONE, early, 1), null), Transport.TCP, SECONDARY));
      assertEquals(Type.NS, old.get(1).getType(), "pruned past " + early + ": the whole zone");
      assertEquals(2 + 1 + 1 + 12 * 2, old.size());
      List<Record> diff =
          records(ask(h, wire(ixfr(ZONE, recent, 2), null), Transport.TCP, SECONDARY));
      assertEquals(Type.SOA, diff.get(1).getType(), "still kept: a difference");
      assertEquals(4 + 3 * 2, diff.size());
      assertEquals(1, own.metrics().transfers("ixfr", Result.FULL));
      assertEquals(1, own.metrics().transfers("ixfr", Result.INCREMENTAL));
    }
    small.close();
  }

  @Test
  void aReverseZoneIxfrHasThePtrChangesOfItsOwnVips() {
    long from = fx.registry.view().revision();
    TestRegistries.deregister(fx.registry, "prod", "db");
    List<Record> diff =
        records(
            ask(
                handler,
                wire(ixfr(TransferHelpers.name("240.in-addr.arpa."), from, 3), null),
                Transport.TCP,
                SECONDARY));
    List<String> text = lines(diff);
    assertEquals(5, text.size(), text.toString());
    assertEquals("10.0.0.240.in-addr.arpa. 45 IN PTR db.prod.mesh.internal.", text.get(2));
  }

  @Test
  void transfersBeyondTheConcurrencyLimitAreServfail() {
    open(TransferHelpers.config(null, false, 1));
    ZoneTransfers.Response first =
        transfers.respond(axfr(ZONE, 1), wire(axfr(ZONE, 1), null), SECONDARY, true);
    assertNull(first.single());
    assertRcode(Rcode.SERVFAIL, ask(handler, wire(axfr(ZONE, 2), null), Transport.TCP, SECONDARY));
    first.stream().close(); // a transfer cut short frees its place too
    assertEquals(1, transfers.metrics().transfers("axfr", Result.ABORTED));
    assertEquals(
        Rcode.NOERROR,
        TransferHelpers.rcode(
            ask(handler, wire(axfr(ZONE, 3), null), Transport.TCP, SECONDARY).get(0)));
  }

  @Test
  void aNameNoQueryCouldAskIsLeftOut() {
    String longest = "p".repeat(63); // a valid port name, but _<name> is a 64-character label
    TestRegistries.register(
        fx.registry,
        "prod",
        "odd",
        new ServiceSpec(
            List.of(
                new ServicePort(longest, Protocol.TCP, 1), new ServicePort("ok", Protocol.TCP, 2)),
            List.of(),
            Map.of(),
            null,
            null));
    List<String> text =
        lines(records(ask(handler, wire(axfr(ZONE, 1), null), Transport.TCP, SECONDARY)));
    assertTrue(
        text.contains("_ok._tcp.odd.prod.mesh.internal. 45 IN SRV 0 100 2 odd.prod.mesh.internal."),
        text.toString());
    assertTrue(
        text.stream().noneMatch(l -> l.contains(longest)), "no SRV that no query could ask for");
    assertTrue(text.stream().anyMatch(l -> l.startsWith("odd.prod.mesh.internal. 45 IN A ")));
  }

  @Test
  void theTransferredRecordsAreTheOnesQueriesGet() {
    List<Record> transferred =
        records(ask(handler, wire(axfr(ZONE, 1), null), Transport.TCP, SECONDARY));
    List<String> served = new ArrayList<>();
    for (Record r : ZoneRecords.enumerate(fx.registry.view(), fx.config)) {
      if (r.getName().subdomain(ZONE) && r.getType() != Type.SOA && r.getType() != Type.NS) {
        served.add(TransferHelpers.text(r));
      }
    }
    List<String> fromTransfer = new ArrayList<>();
    for (Record r : transferred) {
      if (r.getType() != Type.SOA && r.getType() != Type.NS) {
        fromTransfer.add(TransferHelpers.text(r));
      }
    }
    served.sort(null);
    fromTransfer.sort(null);
    assertEquals(served, fromTransfer);
  }

  @Test
  void aHeadlessServiceTransfersTheRecordsItsQueriesAnswer() throws Exception {
    TestRegistries.register(
        fx.registry,
        "shop",
        "cache",
        new ServiceSpec(
            List.of(new ServicePort("redis", Protocol.TCP, 6379)),
            List.of(
                new Endpoint("10.1.0.1", null, null),
                new Endpoint("10.1.0.2", 6380, 5, Health.WARNING, null),
                new Endpoint("10.1.0.3", null, null, Health.CRITICAL, null),
                new Endpoint("fd00:1::1", null, null)),
            Map.of(),
            null,
            null,
            true));
    List<Record> zone = records(ask(handler, wire(axfr(ZONE, 7), null), Transport.TCP, SECONDARY));
    List<Record> cache =
        zone.stream()
            .filter(r -> r.getName().toString().endsWith("cache.shop.mesh.internal."))
            .toList();
    String v6 = "fd00-0001-0000-0000-0000-0000-0000-0001.cache.shop.mesh.internal.";
    assertEquals(
        zoneText(
            """
        cache.shop.mesh.internal. 45 IN A 10.1.0.1
        cache.shop.mesh.internal. 45 IN A 10.1.0.2
        cache.shop.mesh.internal. 45 IN AAAA fd00:1::1
        10-1-0-1.cache.shop.mesh.internal. 45 IN A 10.1.0.1
        10-1-0-2.cache.shop.mesh.internal. 45 IN A 10.1.0.2
        10-1-0-3.cache.shop.mesh.internal. 45 IN A 10.1.0.3
        {v6} 45 IN AAAA fd00:1::1
        _redis._tcp.cache.shop.mesh.internal. 45 IN SRV 0 100 6379 10-1-0-1.cache.shop.mesh.internal.
        _redis._tcp.cache.shop.mesh.internal. 45 IN SRV 0 5 6380 10-1-0-2.cache.shop.mesh.internal.
        _redis._tcp.cache.shop.mesh.internal. 45 IN SRV 0 100 6379 {v6}
        """
                .replace("{v6}", v6)),
        lines(cache));
    // Every transferred record is one a query for its name and type answers (no VIP for a headless
    // name).
    for (Record r : cache) {
      Message q = Message.newQuery(Record.newRecord(r.getName(), r.getType(), DClass.IN));
      List<Record> answer =
          parse(ask(handler, wire(q, null), Transport.UDP, SECONDARY).get(0))
              .getSection(Section.ANSWER);
      assertTrue(answer.contains(r), r + " in " + answer);
    }
  }
}
