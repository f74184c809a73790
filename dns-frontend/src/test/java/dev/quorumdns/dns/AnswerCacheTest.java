package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The answer cache never changes an answer: a seeded stream of queries (names of every kind, random
 * case, ids, header bits, EDNS payloads, DO, NSID, UDP and TCP) gets byte-identical answers from a
 * warm handler and from a fresh one; and every kind of registry change (write, delete, new port,
 * voter change) is seen at once.
 */
class AnswerCacheTest {
  private static final long SEED = Long.getLong("quorumdns.seed", System.nanoTime());
  private static final List<String> NAMES =
      List.of(
          "web.prod.mesh.internal.",
          "db.prod.mesh.internal.",
          "_http._tcp.web.prod.mesh.internal.",
          "_dns._udp.web.prod.mesh.internal.",
          "_tcp.web.prod.mesh.internal.",
          "nope.prod.mesh.internal.",
          "prod.mesh.internal.",
          "mesh.internal.",
          "node.mesh.internal.",
          "n1.node.mesh.internal.",
          "n2.node.mesh.internal.",
          "x7.node.mesh.internal.",
          "10.0.0.240.in-addr.arpa.",
          "11.0.0.240.in-addr.arpa.",
          "0.240.in-addr.arpa.",
          "240.in-addr.arpa.",
          "example.com.",
          "internal.");
  private static final int[] TYPES = {
    Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.NS, Type.SOA, Type.ANY, Type.TXT
  };
  private static final int[] PAYLOADS = {0, 0, 512, 600, 1232, 4096};

  @TempDir Path dir;

  /** A handler over the fixture's registry with a cache of its own and metrics nobody reads. */
  private static QueryHandler handler(DnsFixture fx) {
    return new QueryHandler(
        new Resolver(fx.config, fx.registry.view()), new DnsMetrics(new SimpleMeterRegistry()));
  }

  private static byte[] ask(QueryHandler h, byte[] query, Transport t) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    h.handle(query, t, out::set);
    return out.get();
  }

  private static Message msg(QueryHandler h, String name, int type) throws IOException {
    return new Message(
        ask(
            h,
            Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN))
                .toWire(),
            Transport.UDP));
  }

  private static String mixCase(String s, SplittableRandom r) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      b.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  private static byte[] randomQuery(SplittableRandom r) {
    Message q =
        Message.newQuery(
            Record.newRecord(
                Name.fromConstantString(mixCase(NAMES.get(r.nextInt(NAMES.size())), r)),
                TYPES[r.nextInt(TYPES.length)],
                DClass.IN));
    q.getHeader().setID(r.nextInt(65536));
    if (r.nextBoolean()) {
      q.getHeader().unsetFlag(Flags.RD);
    }
    if (r.nextInt(4) == 0) {
      q.getHeader().setFlag(Flags.CD);
    }
    int payload = PAYLOADS[r.nextInt(PAYLOADS.length)];
    if (payload > 0) {
      List<EDNSOption> options = r.nextBoolean() ? List.of(new NSIDOption(new byte[0])) : List.of();
      q.addRecord(
          new OPTRecord(payload, 0, 0, r.nextBoolean() ? ExtendedFlags.DO : 0, options),
          Section.ADDITIONAL);
    }
    return q.toWire();
  }

  @Test
  void cachedAnswersAreByteForByteTheFreshOnes() {
    try (DnsFixture fx = new DnsFixture(dir, 60)) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      DnsMetrics warmMetrics = new DnsMetrics(meters);
      QueryHandler warm =
          new QueryHandler(new Resolver(fx.config, fx.registry.view()), warmMetrics);
      SplittableRandom r = new SplittableRandom(SEED);
      for (int i = 0; i < 3000; i++) {
        byte[] q = randomQuery(r);
        Transport t = r.nextInt(3) == 0 ? Transport.TCP : Transport.UDP;
        QueryHandler fresh = handler(fx);
        byte[] expected = ask(fresh, q, t);
        byte[] got = ask(warm, q, t);
        assertArrayEquals(expected, got, "query " + i + " over " + t + " (seed " + SEED + ")");
      }
      // 144 questions x 18 EDNS/size/transport variants: about half of 3000 random queries repeat a
      // key.
      assertTrue(
          warmMetrics.cacheHitCount() > 1000,
          "answers came from the cache: " + warmMetrics.cacheHitCount() + " (seed " + SEED + ")");
      assertEquals(0, warmMetrics.errorCount());
    }
  }

  @Test
  void everyRegistryChangeIsSeenAtOnce() throws IOException {
    try (DnsFixture fx = new DnsFixture(dir, 0)) {
      QueryHandler h = handler(fx);
      String srv = "_grpc._tcp.web.prod.mesh.internal.";
      assertEquals(Rcode.NXDOMAIN, msg(h, srv, Type.SRV).getRcode());
      String web4 =
          msg(h, "web.prod.mesh.internal.", Type.A)
              .getSection(Section.ANSWER)
              .get(0)
              .rdataToString();
      TestRegistries.register(
          fx.registry,
          "prod",
          "web",
          ServiceSpec.ofPorts(
              new ServicePort("http", Protocol.TCP, 80),
              new ServicePort("grpc", Protocol.TCP, 9090)));
      assertEquals(
          "0 100 9090 web.prod.mesh.internal.",
          msg(h, srv, Type.SRV).getSection(Section.ANSWER).get(0).rdataToString(),
          "new port");
      assertEquals(
          Rcode.NXDOMAIN,
          msg(h, "_dns._udp.web.prod.mesh.internal.", Type.SRV).getRcode(),
          "removed port");
      assertEquals(
          web4,
          msg(h, "web.prod.mesh.internal.", Type.A)
              .getSection(Section.ANSWER)
              .get(0)
              .rdataToString(),
          "the VIP stays with the name");

      String ptr = org.xbill.DNS.ReverseMap.fromAddress(fx.db.vip4()).toString();
      assertEquals(Rcode.NOERROR, msg(h, ptr, Type.PTR).getRcode());
      TestRegistries.apply(fx.registry, new Command.DeleteService(new ServiceKey("prod", "db")));
      assertEquals(Rcode.NXDOMAIN, msg(h, ptr, Type.PTR).getRcode(), "PTR of a deleted service");
      assertEquals(Rcode.NXDOMAIN, msg(h, "db.prod.mesh.internal.", Type.A).getRcode());

      assertEquals(2, msg(h, "mesh.internal.", Type.NS).getSection(Section.ANSWER).size());
      long revision = fx.registry.view().revision();
      fx.registry.setVoters(Set.of("n1", "n2", "n3"));
      assertEquals(
          revision, fx.registry.view().revision(), "a voter change is not a registry write");
      assertEquals(
          3,
          msg(h, "mesh.internal.", Type.NS).getSection(Section.ANSWER).size(),
          "new voter in NS");
    }
  }

  @Test
  void aHeldReplicaAnswersNothingFromTheCache() throws IOException {
    try (DnsFixture fx = new DnsFixture(dir, 0)) {
      QueryHandler h = handler(fx);
      String known = "web.prod.mesh.internal.";
      String unknown = "late.prod.mesh.internal.";
      assertEquals(Rcode.NOERROR, msg(h, known, Type.A).getRcode());
      assertEquals(Rcode.NXDOMAIN, msg(h, unknown, Type.A).getRcode());
      boolean[] stalled = {true};
      fx.registry.holdWhileStalled(() -> stalled[0]);
      assertEquals(Rcode.SERVFAIL, msg(h, known, Type.A).getRcode(), "cached answer while held");
      assertEquals(
          Rcode.SERVFAIL, msg(h, unknown, Type.A).getRcode(), "cached NXDOMAIN while held");
      stalled[0] = false;
      assertEquals(Rcode.NOERROR, msg(h, known, Type.A).getRcode());
      assertEquals(Rcode.NXDOMAIN, msg(h, unknown, Type.A).getRcode());
    }
  }
}
