package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Thousands of random and bit-flipped packets over UDP and TCP; afterwards the same server still
 * answers.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MalformedInputTest {
  private static final long SEED = Long.getLong("quorumdns.seed", 7_2026L);

  @TempDir Path dir;

  @Test
  void garbageNeverKillsAWorker() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (DnsFixture fx = new DnsFixture(dir, 0)) {
      DnsServer server = new DnsServer(fx.config.withThreads(2), fx.registry.view(), meters);
      server.start();
      try {
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.udpAddress().getPort());
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> seeds = new ArrayList<>();
        for (int t : new int[] {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.NS, Type.ANY}) {
          seeds.add(DnsFixture.query("web.prod.mesh.internal.", t, 1));
        }
        try (DatagramSocket udp = new DatagramSocket()) {
          for (int i = 0; i < 5000; i++) {
            byte[] p = packet(random, seeds);
            udp.send(new DatagramPacket(p, p.length, at));
          }
        }
        for (int c = 0; c < 50; c++) {
          try (Socket tcp = new Socket(at.getAddress(), at.getPort())) {
            OutputStream out = tcp.getOutputStream();
            for (int i = 0; i < 20; i++) {
              byte[] p = packet(random, seeds);
              int claimed = random.nextInt(4) == 0 ? random.nextInt(65536) : p.length;
              out.write(new byte[] {(byte) (claimed >> 8), (byte) claimed});
              out.write(p);
            }
            out.flush();
          } catch (IOException e) {
            // The server may close a connection it cannot frame: fine.
          }
        }
        byte[] wire = ask(at, DnsFixture.query("web.prod.mesh.internal.", Type.A, 77));
        Message m = new Message(wire);
        assertEquals(Rcode.NOERROR, m.getRcode(), "seed " + SEED);
        assertEquals(77, m.getHeader().getID());
        double malformed = meters.get("quorumdns.dns.malformed").counter().count();
        assertTrue(malformed > 0, "malformed packets were counted (seed " + SEED + ")");
        // Every event-loop thread is alive: each UDP socket (one per thread) still answers.
        for (int i = 0; i < 20; i++) {
          assertEquals(
              Rcode.NOERROR,
              new Message(ask(at, DnsFixture.query("db.prod.mesh.internal.", Type.A, i)))
                  .getRcode(),
              "seed " + SEED);
        }
      } finally {
        server.close();
      }
    }
  }

  private static byte[] ask(InetSocketAddress at, byte[] query) throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(3000);
      s.send(new DatagramPacket(query, query.length, at));
      DatagramPacket in = new DatagramPacket(new byte[4096], 4096);
      s.receive(in);
      return java.util.Arrays.copyOf(in.getData(), in.getLength());
    }
  }

  private static byte[] packet(SplittableRandom r, List<byte[]> seeds) {
    if (r.nextBoolean()) {
      byte[] p = new byte[r.nextInt(600)];
      for (int i = 0; i < p.length; i++) {
        p[i] = (byte) r.nextInt(256);
      }
      return p;
    }
    byte[] p = seeds.get(r.nextInt(seeds.size())).clone();
    for (int flips = 1 + r.nextInt(6); flips > 0; flips--) {
      p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
    }
    if (r.nextInt(5) == 0) {
      p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 1));
    }
    return p;
  }
}
