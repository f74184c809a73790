package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Tens of thousands of seeded hostile packets straight into the handler: random bytes, bit flips,
 * cuts, header and count mutations, compression loops. No packet may make the server fail
 * internally (the error counter stays 0); every answer echoes the id, has QR set, parses, and fits
 * UDP; and the warm handler (fast path, cache) answers each packet exactly as a fresh one (dnsjava
 * path), so the fast path accepts nothing the slow path would treat differently.
 */
@Timeout(60)
class HandlerFuzzTest {
  private static final long SEED = Long.getLong("quorumdns.seed", System.nanoTime());
  private static final int PACKETS = Integer.getInteger("quorumdns.fuzz.packets", 20_000);

  @TempDir Path dir;

  private static byte[] ask(QueryHandler h, byte[] packet, Transport t) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    h.handle(packet, t, out::set);
    return out.get();
  }

  private static List<byte[]> seeds() {
    List<byte[]> out = new ArrayList<>();
    for (String n :
        List.of(
            "web.prod.mesh.internal.",
            "_http._tcp.web.prod.mesh.internal.",
            "mesh.internal.",
            "10.0.0.240.in-addr.arpa.",
            "nope.mesh.internal.",
            "example.com.")) {
      for (int t : new int[] {Type.A, Type.SRV, Type.NS, Type.PTR}) {
        Message q = Message.newQuery(Record.newRecord(Name.fromConstantString(n), t, DClass.IN));
        out.add(q.toWire());
        q.addRecord(
            new OPTRecord(1232, 0, 0, ExtendedFlags.DO, List.of(new NSIDOption(new byte[0]))),
            Section.ADDITIONAL);
        out.add(q.toWire());
      }
    }
    return out;
  }

  private static byte[] mutate(SplittableRandom r, List<byte[]> seeds) {
    byte[] p = seeds.get(r.nextInt(seeds.size())).clone();
    switch (r.nextInt(6)) {
      case 0 -> {
        p = new byte[r.nextInt(600)];
        for (int i = 0; i < p.length; i++) {
          p[i] = (byte) r.nextInt(256);
        }
      }
      case 1 -> {
        for (int flips = 1 + r.nextInt(8); flips > 0; flips--) {
          p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 2 -> p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 20));
      case 3 -> p[4 + r.nextInt(8)] = (byte) r.nextInt(256); // the section counts
      case 4 -> p[2] = (byte) r.nextInt(256); // QR, opcode, AA, TC, RD
      default -> {
        p[12] = (byte) 0xc0; // the question name: a pointer, often to itself
        p[13] = (byte) r.nextInt(p.length);
      }
    }
    return p;
  }

  @Test
  void hostilePacketsNeverBreakTheHandlerAndTheFastPathAgreesWithDnsjava() {
    try (DnsFixture fx = new DnsFixture(dir, 0)) {
      DnsMetrics metrics = new DnsMetrics(new SimpleMeterRegistry());
      QueryHandler warm = new QueryHandler(new Resolver(fx.config, fx.registry.view()), metrics);
      QueryHandler fresh = null;
      SplittableRandom r = new SplittableRandom(SEED);
      List<byte[]> seeds = seeds();
      int answered = 0;
      for (int i = 0; i < PACKETS; i++) {
        byte[] p = mutate(r, seeds);
        Transport t = r.nextInt(4) == 0 ? Transport.TCP : Transport.UDP;
        if (i % 50 == 0) {
          fresh =
              new QueryHandler(
                  new Resolver(fx.config, fx.registry.view()),
                  new DnsMetrics(new SimpleMeterRegistry()));
        }
        String what =
            "packet "
                + i
                + " "
                + HexFormat.of().formatHex(p)
                + " over "
                + t
                + " (seed "
                + SEED
                + ")";
        byte[] got = ask(warm, p, t);
        assertArrayEquals(ask(fresh, p, t), got, what);
        if (got == null) {
          continue;
        }
        answered++;
        assertTrue(got.length >= 12 && (got[2] & 0x80) != 0, what);
        assertEquals(p[0], got[0], what);
        assertEquals(p[1], got[1], what);
        assertTrue(t == Transport.TCP || got.length <= fx.config.udpPayloadSize(), what);
        try {
          new Message(got);
        } catch (IOException e) {
          fail("unparseable answer to " + what, e);
        }
      }
      assertEquals(0, metrics.errorCount(), "internal failures (seed " + SEED + ")");
      assertTrue(
          metrics.malformedCount() > 0 && answered > PACKETS / 4,
          answered + " answered (seed " + SEED + ")");
    }
  }
}
