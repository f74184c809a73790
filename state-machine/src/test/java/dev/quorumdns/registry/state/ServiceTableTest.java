package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.store.StoredService;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The compact service table against a plain map, and its lock-free readers against a churning
 * writer.
 */
class ServiceTableTest {
  private static final long SEED = Long.getLong("quorumdns.seed", 20261204L);

  private static Service service(int i, long revision, boolean v6) {
    ServiceSpec spec =
        i % 3 == 0
            ? ServiceSpec.ofPorts()
            : new ServiceSpec(
                List.of(new ServicePort("http", Protocol.TCP, 8000 + i % 1000)),
                List.of(new Endpoint("10.1.0." + (i % 250 + 1), 80, null)),
                Map.of("team", "t" + i % 7),
                null,
                null);
    return new Service(
        new ServiceKey("ns" + i % 13, "svc-" + i),
        spec,
        (Inet4Address) IpAddresses.parse("vip4", "240.0." + (i >> 8 & 0xff) + "." + (i & 0xff)),
        v6 ? (Inet6Address) IpAddresses.parse("vip6", "fd00::" + Integer.toHexString(i + 1)) : null,
        revision,
        1);
  }

  @Test
  void anEntryGivesBackTheServiceItWasMadeFrom() {
    for (int i = 0; i < 50; i++) {
      Service s = service(i, 7 + i, i % 2 == 0);
      byte[] e = ServiceEntry.encode(s);
      assertEquals(s, ServiceEntry.decode(e));
      assertEquals(s.key(), ServiceEntry.key(e));
      assertEquals(s.revision(), ServiceEntry.revision(e));
    }
  }

  /** Spec format 2: a headless service (no VIP at all) and endpoints with health and leases. */
  @Test
  void headlessAndLeasedServicesHaveEntriesTooAndAHeadlessOneIsFoundByKeyOnly()
      throws CodecException {
    ServiceSpec headless =
        new ServiceSpec(
            List.of(), List.of(new Endpoint("10.1.0.1", null, null)), Map.of(), null, null, true);
    ServiceSpec leased =
        new ServiceSpec(
            List.of(),
            List.of(
                new Endpoint("10.1.0.2", 80, null, Health.CRITICAL, 42L),
                new Endpoint("10.1.0.3", 80, null, Health.WARNING, null)),
            Map.of(),
            null,
            null);
    Service h = new Service(new ServiceKey("ns", "headless"), headless, null, null, 3, 2);
    Service l =
        new Service(
            new ServiceKey("ns", "leased"),
            leased,
            (Inet4Address) IpAddresses.parse("vip4", "240.0.0.1"),
            null,
            4,
            4);
    StoredService stored = new StoredService();
    ServiceTable t = new ServiceTable();
    for (Service s : List.of(h, l)) {
      byte[] e = ServiceEntry.encode(s);
      assertEquals(s, ServiceEntry.decode(e));
      ByteSink out = new ByteSink(128);
      RegistryCodec.writeService(out, s);
      stored.parse(s.key().toString().getBytes(StandardCharsets.UTF_8), out.toByteArray());
      assertArrayEquals(e, ServiceEntry.encode(stored), s.key().toString());
      assertEquals(s == l ? 1 : 0, stored.leaseCount());
      assertEquals(s == l, ServiceEntry.leased(e));
      assertNull(t.add(e));
    }
    assertArrayEquals(new long[] {42}, stored.leaseIds());
    assertEquals(2, t.size());
    assertEquals(1, t.withVip4(), "the headless service holds no IPv4 VIP");
    assertNull(
        t.byVip(IpAddresses.parse("vip4", "0.0.0.0")), "its empty VIP bytes are not an address");
    assertEquals(h, ServiceEntry.decode(t.get(h.key())));
    t.remove(t.get(h.key()));
    assertEquals(1, t.withVip4());
    assertEquals(1, t.size());
  }

  /**
   * The loader's path (a stored value read in place, spec bytes copied) makes the same entry as
   * encoding.
   */
  @Test
  void aStoredValueReadInPlaceMakesTheSameEntry() throws CodecException {
    StoredService stored = new StoredService();
    for (int i = 0; i < 50; i++) {
      Service s = service(i, 7 + i, i % 2 == 0);
      ByteSink out = new ByteSink(128);
      RegistryCodec.writeService(out, s);
      stored.parse(s.key().toString().getBytes(StandardCharsets.UTF_8), out.toByteArray());
      assertArrayEquals(ServiceEntry.encode(s), ServiceEntry.encode(stored), s.key().toString());
      assertEquals(s, stored.toService());
    }
  }

  @Test
  void agreesWithAMapThroughInsertsReplacementsAndDeletes() {
    Random r = new Random(SEED);
    ServiceTable t = new ServiceTable();
    Map<ServiceKey, Service> model = new HashMap<>();
    for (int step = 0; step < 40_000; step++) {
      int i = r.nextInt(3000);
      ServiceKey key = new ServiceKey("ns" + i % 13, "svc-" + i);
      Service old = model.get(key);
      int op = r.nextInt(3);
      if (old == null && op != 2) {
        Service s = service(i, step + 1, r.nextBoolean());
        assertNull(t.add(ServiceEntry.encode(s)), "seed " + SEED);
        model.put(key, s);
      } else if (old != null && op == 0) {
        Service s =
            new Service(key, old.spec(), old.vip4(), old.vip6(), step + 1, old.createRevision());
        t.replace(t.get(key), ServiceEntry.encode(s));
        model.put(key, s);
      } else if (old != null) {
        t.remove(t.get(key));
        model.remove(key);
      }
    }
    assertEquals(model.size(), t.size(), "seed " + SEED);
    assertEquals(model.size(), t.entries().size(), "seed " + SEED);
    for (int i = 0; i < 3000; i++) {
      ServiceKey key = new ServiceKey("ns" + i % 13, "svc-" + i);
      Service want = model.get(key);
      byte[] e = t.get(key);
      assertEquals(want, e == null ? null : ServiceEntry.decode(e), key + ", seed " + SEED);
      if (want != null) {
        assertSame(e, t.byVip(want.vip4()), "by IPv4 VIP, seed " + SEED);
        if (want.vip6() != null) {
          assertSame(e, t.byVip(want.vip6()), "by IPv6 VIP, seed " + SEED);
        }
      }
    }
    long v6 = model.values().stream().filter(s -> s.vip6() != null).count();
    assertEquals(v6, t.withVip6(), "seed " + SEED);
  }

  @Test
  void aSecondServiceOnAHeldVipIsRefusedAndNothingChanges() {
    ServiceTable t = new ServiceTable();
    Service a = service(1, 1, true);
    assertNull(t.add(ServiceEntry.encode(a)));
    Service clash =
        new Service(new ServiceKey("other", "x"), ServiceSpec.ofPorts(), a.vip4(), null, 1, 1);
    assertArrayEquals(t.get(a.key()), t.add(ServiceEntry.encode(clash)));
    assertNull(t.get(clash.key()));
    assertEquals(1, t.size());
  }

  /**
   * Readers never miss a service that stays registered, never see its revision go backwards, and
   * always find it by VIP, while the writer replaces it and inserts and deletes others (forcing
   * tombstones and rebuilds).
   */
  @Test
  void readersNeverMissAStableServiceWhileTheWriterChurns() throws Exception {
    ServiceTable t = new ServiceTable();
    int stable = 64;
    Random r = new Random(SEED);
    // Churned services first, so the stable ones' probe chains run through slots that will be
    // deleted.
    for (int j = stable; j < stable + 5000; j += 2) {
      t.add(ServiceEntry.encode(service(j, 1, j % 2 == 0)));
    }
    for (int i = 0; i < stable; i++) {
      t.add(ServiceEntry.encode(service(i, 1, true)));
    }
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> readers =
          List.of(
              pool.submit(() -> read(t, stable, done)), pool.submit(() -> read(t, stable, done)));
      for (int step = 2; step < 60_000; step++) {
        int i = r.nextInt(stable);
        Service now = ServiceEntry.decode(t.get(new ServiceKey("ns" + i % 13, "svc-" + i)));
        t.replace(
            t.get(now.key()),
            ServiceEntry.encode(
                new Service(now.key(), now.spec(), now.vip4(), now.vip6(), step, 1)));
        int j = stable + r.nextInt(5000);
        byte[] there = t.get(new ServiceKey("ns" + j % 13, "svc-" + j));
        if (there == null) {
          t.add(ServiceEntry.encode(service(j, step, j % 2 == 0)));
        } else {
          t.remove(there);
        }
      }
      done.set(true);
      for (Future<Long> f : readers) {
        assertNotNull(f.get(60, TimeUnit.SECONDS), "seed " + SEED);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Long read(ServiceTable t, int stable, AtomicBoolean done) {
    long[] seen = new long[stable];
    long reads = 0;
    while (!done.get() || reads < 10_000) {
      int i = (int) (reads % stable);
      Service s = service(i, 1, true);
      byte[] e = t.get(s.key());
      if (e == null) {
        throw new AssertionError(
            "stable service " + s.key() + " missing after " + reads + " reads, seed " + SEED);
      }
      long rev = ServiceEntry.revision(e);
      if (rev < seen[i]) {
        throw new AssertionError(s.key() + " went back from revision " + seen[i] + " to " + rev);
      }
      seen[i] = rev;
      if (t.byVip(s.vip4()) == null || t.byVip(s.vip6()) == null) {
        throw new AssertionError("stable service " + s.key() + " not found by VIP, seed " + SEED);
      }
      reads++;
    }
    return reads;
  }
}
