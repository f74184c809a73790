package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.vip.VipPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeded random operation sequences against two real replicas fed the same log, checked after every
 * entry against a reference model of docs/architecture.md and, rule by rule, by {@link VipRules}:
 * determinism, injectivity, stability under updates, hold-down, re-registration, exhaustion,
 * all-or-nothing batches. Each sequence ends by deleting every name and letting the hold-downs run
 * out, so one pair of stores serves them all; replica {@code b} is closed and reopened now and
 * then. {@code -Dquorumdns.prop.iterations=N} runs N sequences per pool pair (default 700, about
 * 2,000 in all), {@code -Dquorumdns.seed} another seed.
 */
class AllocatorPropertyTest {
  private static final long HOLD = 10_000;
  private static final int SEQUENCES = Integer.getInteger("quorumdns.prop.iterations", 700);
  private static final int REOPEN_EVERY = 150;
  private static final int OPS = 50;
  private static final String[] NAMES = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};

  @TempDir Path dir;

  private Registry a;
  private Registry b;
  private long index;
  private long clock;
  private ModelState model;
  private VipRules rules;
  private String trace;

  @ParameterizedTest(name = "pools {0} and {1}")
  @CsvSource({"240.0.0.0/29, fd00::/125", "10.1.0.0/28, fd00:1::/124", "240.0.0.0/30, ''"})
  void sequencesKeepEveryVipRule(String v4, String v6) throws Exception {
    long seed = Long.getLong("quorumdns.seed", 42L) ^ v4.hashCode();
    ClusterSettings settings =
        new ClusterSettings(
            VipPool.parse("v", v4), v6.isEmpty() ? null : VipPool.parse("v", v6), HOLD);
    a = new Registry(dir.resolve("a"), new SimpleMeterRegistry());
    b = new Registry(dir.resolve("b"), new SimpleMeterRegistry());
    a.load();
    b.load();
    index = 0;
    clock = 1_000_000;
    model = new ModelState(settings);
    rules = new VipRules(settings);
    applyBoth(new Command.InitCluster(settings), clock);
    SplittableRandom random = new SplittableRandom(seed);
    for (int s = 0; s < SEQUENCES; s++) {
      trace = "seed " + seed + ", sequence " + s;
      for (int op = 0; op < OPS; op++) {
        step(random);
      }
      for (String n : NAMES) {
        applyBoth(new Command.DeleteService(key(n)), clock);
      }
      clock += HOLD + 1;
      applyBoth(new Command.DeleteService(key("a")), clock); // purges every hold
      if (s % REOPEN_EVERY == REOPEN_EVERY - 1) {
        b.close();
        b = new Registry(dir.resolve("b"), new SimpleMeterRegistry());
        b.load();
        assertEquals(a.meta(), b.meta(), trace + ": reopened");
      }
    }
    assertEquals(a.view().services(), b.view().services(), trace);
    assertEquals(a.meta(), b.meta(), trace);
    a.close();
    b.close();
  }

  private static ServiceKey key(String n) {
    return new ServiceKey("p", n);
  }

  private void step(SplittableRandom r) {
    long time =
        clock
            + switch (r.nextInt(10)) {
              case 0 -> HOLD + r.nextInt(1000);
              case 1 -> -r.nextInt(2000); // a leader with a slower clock: log time must not go back
              default -> r.nextInt(500);
            };
    clock = Math.max(clock, time);
    String name = NAMES[r.nextInt(NAMES.length)];
    Command c =
        switch (r.nextInt(12)) {
          case 0, 1, 2, 3 -> new Command.UpsertService(key(name), spec(r, null, null));
          case 4 ->
              new Command.UpsertService(key(name), spec(r, ownOrRandomVip4(r, key(name)), null));
          case 5 -> new Command.UpsertService(key(name), spec(r, null, randomVip6(r)));
          case 6, 7, 8 -> new Command.DeleteService(key(name));
          case 9 ->
              new Command.Batch(
                  List.of(
                      new Command.UpsertService(
                          key(NAMES[r.nextInt(NAMES.length)]), spec(r, null, null)),
                      r.nextBoolean()
                          ? new Command.DeleteService(key(name))
                          : new Command.UpsertService(key(name), spec(r, randomVip4(r), null))));
          case 10 ->
              new Command.Group(
                  List.of(
                      new Command.UpsertService(key(name), spec(r, null, null)),
                      new Command.DeleteService(key(NAMES[r.nextInt(NAMES.length)]))));
          // A batch refused half-way inside a group: its first part must not survive.
          default ->
              new Command.Group(
                  List.of(
                      new Command.DeleteService(key(name)),
                      new Command.Batch(
                          List.of(
                              new Command.UpsertService(
                                  key(NAMES[r.nextInt(NAMES.length)]), spec(r, null, null)),
                              new Command.UpsertService(
                                  key(NAMES[r.nextInt(NAMES.length)]),
                                  spec(r, randomVip4(r), null)))),
                      new Command.UpsertService(
                          key(NAMES[r.nextInt(NAMES.length)]), spec(r, null, null))));
        };
    applyBoth(c, time);
  }

  private static ServiceSpec spec(SplittableRandom r, Inet4Address vip4, Inet6Address vip6) {
    return new ServiceSpec(
        List.of(new ServicePort("http", Protocol.TCP, 1 + r.nextInt(3))),
        List.of(),
        Map.of(),
        vip4,
        vip6);
  }

  private Inet4Address randomVip4(SplittableRandom r) {
    if (r.nextInt(20) == 0) {
      return IpAddresses.parse4(
          "vip4", "192.0.2." + (1 + r.nextInt(254))); // outside the pool: Invalid
    }
    VipPool p = model.settings.vip4Pool();
    long size = p.capacity() + 3;
    return (Inet4Address)
        p.addressAt(r.nextLong(size)); // sometimes the network or broadcast address
  }

  /**
   * For a registered name, half the time the VIP it holds (an update that repeats it is no change).
   */
  private Inet4Address ownOrRandomVip4(SplittableRandom r, ServiceKey k) {
    Service current = a.view().get(k);
    return current != null && r.nextBoolean() ? current.vip4() : randomVip4(r);
  }

  /**
   * A VIP of the IPv6 pool, sometimes one outside it; with IPv6 disabled, any (refused) address.
   */
  private Inet6Address randomVip6(SplittableRandom r) {
    VipPool p = model.settings.vip6Pool();
    if (p == null || r.nextInt(20) == 0) {
      return IpAddresses.parse6("vip6", "2001:db8::" + Integer.toHexString(1 + r.nextInt(0xfffe)));
    }
    return (Inet6Address) p.addressAt(r.nextLong(p.capacity() + 1));
  }

  private void applyBoth(Command c, long time) {
    index++;
    List<Service> before = a.view().services();
    long revisionBefore = a.view().revision();
    Outcome oa;
    Outcome ob;
    try {
      oa = a.apply(1, index, new LogEntry(time, c));
      ob = b.apply(1, index, new LogEntry(time, c));
    } catch (java.io.IOException e) {
      throw new AssertionError(trace, e);
    }
    assertEquals(
        oa, ob, () -> trace + ": determinism: replicas disagree on entry " + index + " " + c);
    long now = Math.max(model.now, time);
    Outcome expected = model.apply(c, index, now);
    assertEquals(expected, oa, () -> trace + ": entry " + index + " " + c + " at log time " + now);
    rules.entry(
        c,
        oa,
        now,
        () -> trace + ": entry " + index + " " + c + " -> " + oa + " at log time " + now);
    assertEquals(rules.live(), a.view().services(), trace);
    if (oa.refused()) {
      assertEquals(before, a.view().services(), trace + ": a refused command changed the registry");
      assertEquals(
          revisionBefore, a.view().revision(), trace + ": a refused command moved the revision");
    }
    checkInjective();
  }

  private void checkInjective() {
    Set<InetAddress> seen = new HashSet<>();
    for (Service s : a.view().services()) {
      if (!seen.add(s.vip4()) || (s.vip6() != null && !seen.add(s.vip6()))) {
        fail(trace + ": two live names share a VIP: " + a.view().services());
      }
      assertEquals(s, a.view().byVip(s.vip4()), trace);
      if (s.vip6() != null) {
        assertEquals(s, a.view().byVip(s.vip6()), trace);
      }
    }
    assertEquals(model.services.keySet().size(), a.view().size(), trace);
  }

  /** The reference model: docs/architecture.md written plainly, without staging tricks. */
  private static final class ModelState {
    final ClusterSettings settings;
    final Map<ServiceKey, Service> services = new HashMap<>();
    final Map<InetAddress, Object[]> holds = new HashMap<>(); // vip -> {owner, expiry}
    long now;

    ModelState(ClusterSettings settings) {
      this.settings = settings;
    }

    Outcome apply(Command c, long index, long time) {
      now = time;
      holds.values().removeIf(h -> (long) h[1] <= now);
      Map<ServiceKey, Service> savedServices = new HashMap<>(services);
      Map<InetAddress, Object[]> savedHolds = new HashMap<>(holds);
      Outcome o = run(c, index);
      if (o.refused()) {
        services.clear();
        services.putAll(savedServices);
        holds.clear();
        holds.putAll(savedHolds);
      }
      return o;
    }

    private Outcome run(Command c, long index) {
      if (c instanceof Command.InitCluster i) {
        return new Outcome.Initialized(i.settings(), true);
      }
      if (c instanceof Command.DeleteService d) {
        Service s = services.remove(d.key());
        if (s == null) {
          return new Outcome.NotFound(d.key());
        }
        holds.put(s.vip4(), new Object[] {d.key(), now + HOLD});
        if (s.vip6() != null) {
          holds.put(s.vip6(), new Object[] {d.key(), now + HOLD});
        }
        return new Outcome.Deleted(s, now);
      }
      if (c instanceof Command.Batch batch) {
        List<Outcome> outs = new ArrayList<>();
        for (int i = 0; i < batch.commands().size(); i++) {
          Outcome o = run(batch.commands().get(i), index);
          if (o.refused()) {
            return new Outcome.BatchRefused(i, o);
          }
          outs.add(o);
        }
        return new Outcome.BatchApplied(outs);
      }
      if (c instanceof Command.Group g) {
        List<Outcome> outs = new ArrayList<>();
        for (Command inner : g.commands()) {
          Map<ServiceKey, Service> s0 = new HashMap<>(services);
          Map<InetAddress, Object[]> h0 = new HashMap<>(holds);
          Outcome o = run(inner, index);
          if (o.refused()) {
            services.clear();
            services.putAll(s0);
            holds.clear();
            holds.putAll(h0);
          }
          outs.add(o);
        }
        return new Outcome.GroupApplied(outs);
      }
      Command.UpsertService u = (Command.UpsertService) c;
      Service old = services.get(u.key());
      if (old != null) {
        if (u.spec().vip4() != null && !u.spec().vip4().equals(old.vip4())) {
          return conflictOnChange("vip4", old.vip4());
        }
        if (u.spec().vip6() != null && !u.spec().vip6().equals(old.vip6())) {
          return conflictOnChange("vip6", old.vip6());
        }
        if (old.sameSpec(u.spec())) {
          return new Outcome.Written(old, false, false, now);
        }
        Service updated =
            new Service(u.key(), u.spec(), old.vip4(), old.vip6(), index, old.createRevision());
        services.put(u.key(), updated);
        return new Outcome.Written(updated, false, true, now);
      }
      Object v4 = allocate(settings.vip4Pool(), u.key(), u.spec().vip4());
      if (v4 instanceof Outcome o) {
        return o;
      }
      Object v6 = null;
      if (settings.vip6Pool() != null) {
        v6 = allocate(settings.vip6Pool(), u.key(), u.spec().vip6());
        if (v6 instanceof Outcome o) {
          return o;
        }
      } else if (u.spec().vip6() != null) {
        return new Outcome.Invalid(
            "vip6", "IPv6 VIPs are disabled in this cluster (vip6-cidr is empty)");
      }
      Service s =
          new Service(u.key(), u.spec(), (Inet4Address) v4, (Inet6Address) v6, index, index);
      holds.remove(s.vip4());
      if (s.vip6() != null) {
        holds.remove(s.vip6());
      }
      services.put(u.key(), s);
      return new Outcome.Written(s, true, true, now);
    }

    private static Outcome conflictOnChange(String field, InetAddress current) {
      return new Outcome.Conflict(
          field,
          "the service holds "
              + (current == null ? "no " + field : IpAddresses.format(current))
              + "; a VIP never changes while its name is registered (delete it first)");
    }

    private ServiceKey owner(InetAddress vip) {
      for (Service s : services.values()) {
        if (vip.equals(s.vip4()) || vip.equals(s.vip6())) {
          return s.key();
        }
      }
      return null;
    }

    /** The VIP, or the refusal. */
    private Object allocate(VipPool pool, ServiceKey key, InetAddress requested) {
      String field = pool.family().field();
      if (requested != null) {
        String text = IpAddresses.format(requested);
        if (!pool.contains(requested)) {
          return new Outcome.Invalid(field, text + " is outside the VIP pool " + pool.cidr());
        }
        if (!pool.usable(requested)) {
          return new Outcome.Invalid(
              field, text + " is the network or broadcast address of " + pool.cidr());
        }
        ServiceKey o = owner(requested);
        if (o != null) {
          return new Outcome.Conflict(field, text + " is held by " + o);
        }
        Object[] h = holds.get(requested);
        if (h != null && !h[0].equals(key)) {
          return new Outcome.Conflict(
              field,
              text
                  + " was released by "
                  + h[0]
                  + " and is held down for it until "
                  + java.time.Instant.ofEpochMilli((long) h[1]));
        }
        return requested;
      }
      InetAddress own = null;
      long ownExpiry = Long.MIN_VALUE;
      for (Map.Entry<InetAddress, Object[]> e : holds.entrySet()) {
        if (e.getValue()[0].equals(key) && VipPool.Family.of(e.getKey()) == pool.family()) {
          long exp = (long) e.getValue()[1];
          if (exp > ownExpiry
              || (exp == ownExpiry
                  && IpAddresses.format(e.getKey()).compareTo(IpAddresses.format(own)) < 0)) {
            own = e.getKey();
            ownExpiry = exp;
          }
        }
      }
      if (own != null) {
        return own;
      }
      long busy =
          holds.keySet().stream().filter(v -> VipPool.Family.of(v) == pool.family()).count()
              + services.values().stream()
                  .filter(s -> pool.family() == VipPool.Family.IPV4 || s.vip6() != null)
                  .count();
      if (busy >= pool.capacity()) {
        return new Outcome.PoolExhausted(field, pool.cidr());
      }
      for (long off = pool.preferredOffset(key); ; off = pool.next(off)) {
        InetAddress candidate = pool.addressAt(off);
        if (pool.usable(off) && owner(candidate) == null && !holds.containsKey(candidate)) {
          return candidate;
        }
      }
    }
  }
}
