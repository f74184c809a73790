package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.vip.VipPool;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The VIP rules of docs/architecture.md, each checked by name on every applied outcome: stability
 * (an update keeps the VIPs; asking to change one is a conflict), injectivity, hold-down (only the
 * previous owner may take a held VIP), re-registration (the newest own hold first, else the first
 * free address probing from the name's hash), exhaustion (refused only when every usable address is
 * taken or held). Keeps its own books of live services and released VIPs, from the outcomes alone.
 * Test thread only.
 */
final class VipRules {
  private record Released(ServiceKey owner, long expiresAt) {}

  private final ClusterSettings settings;
  private final long holdMillis;
  private final Map<ServiceKey, Service> live = new HashMap<>();
  private final Map<InetAddress, Released> released = new HashMap<>();
  private long now;
  private Supplier<String> where = () -> "";

  VipRules(ClusterSettings settings) {
    this.settings = settings;
    this.holdMillis = settings.holdDownMillis();
  }

  /** The services these books say are live, in key order. */
  List<Service> live() {
    List<Service> out = new ArrayList<>(live.values());
    out.sort(Comparator.comparing(Service::key));
    return out;
  }

  /**
   * Checks the outcome of one entry applied at log time {@code logTime} (already made monotonic).
   */
  void entry(Command c, Outcome o, long logTime, Supplier<String> context) {
    now = logTime;
    where = context;
    released.values().removeIf(r -> r.expiresAt() <= now);
    command(c, o);
  }

  private void command(Command c, Outcome o) {
    if (c instanceof Command.Group g) {
      List<Outcome> outs = assertInstanceOf(Outcome.GroupApplied.class, o, where).outcomes();
      for (int i = 0; i < outs.size(); i++) {
        command(g.commands().get(i), outs.get(i));
      }
    } else if (c instanceof Command.Batch b) {
      if (o instanceof Outcome.BatchApplied applied) {
        for (int i = 0; i < applied.outcomes().size(); i++) {
          command(b.commands().get(i), applied.outcomes().get(i));
        }
      } else {
        // The refusal is judged against the batch's staged state, which these books do not see; the
        // caller
        // checks that nothing changed.
        Outcome.BatchRefused refused = assertInstanceOf(Outcome.BatchRefused.class, o, where);
        assertTrue(refused.cause().refused(), where);
      }
    } else if (c instanceof Command.DeleteService d) {
      delete(d, o);
    } else if (c instanceof Command.UpsertService u) {
      upsert(u, o);
    }
  }

  private void delete(Command.DeleteService d, Outcome o) {
    Service s = live.remove(d.key());
    if (s == null) {
      assertEquals(new Outcome.NotFound(d.key()), o, where);
      return;
    }
    assertEquals(new Outcome.Deleted(s, now), o, where);
    released.put(s.vip4(), new Released(d.key(), now + holdMillis));
    if (s.vip6() != null) {
      released.put(s.vip6(), new Released(d.key(), now + holdMillis));
    }
  }

  private void upsert(Command.UpsertService u, Outcome o) {
    ServiceKey k = u.key();
    Service current = live.get(k);
    if (current != null) {
      boolean asksChange =
          changes(u.spec().vip4(), current.vip4()) || changes(u.spec().vip6(), current.vip6());
      if (asksChange) {
        assertInstanceOf(
            Outcome.Conflict.class,
            o,
            () -> where.get() + ": stability: a VIP change must conflict");
        return;
      }
      Outcome.Written w = assertInstanceOf(Outcome.Written.class, o, where);
      assertEquals(
          current.vip4(),
          w.service().vip4(),
          () -> where.get() + ": stability: an update moved vip4");
      assertEquals(
          current.vip6(),
          w.service().vip6(),
          () -> where.get() + ": stability: an update moved vip6");
      assertEquals(!current.sameSpec(u.spec()), w.changed(), where);
      assertEquals(false, w.created(), where);
      live.put(k, w.service());
      return;
    }
    if (o.refused()) {
      refusedCreate(u, o);
      return;
    }
    Outcome.Written w = assertInstanceOf(Outcome.Written.class, o, where);
    assertTrue(w.created(), where);
    Service s = w.service();
    for (VipPool.Family f : VipPool.Family.values()) {
      VipPool pool = settings.pool(f);
      InetAddress vip = f == VipPool.Family.IPV4 ? s.vip4() : s.vip6();
      InetAddress requested = f == VipPool.Family.IPV4 ? u.spec().vip4() : u.spec().vip6();
      if (pool == null) {
        assertNull(vip, where);
        continue;
      }
      assertTrue(
          pool.usable(vip), () -> where.get() + ": " + vip + " is not a usable address of " + pool);
      ServiceKey owner = ownerOf(vip);
      assertNull(
          owner,
          () -> where.get() + ": injectivity: " + vip + " given to " + k + " is " + owner + "'s");
      Released r = released.get(vip);
      if (r != null && !r.owner().equals(k)) {
        fail(
            where.get()
                + ": hold-down: "
                + IpAddresses.format(vip)
                + " released by "
                + r.owner()
                + " until "
                + r.expiresAt()
                + " was given to "
                + k
                + " at "
                + now);
      }
      InetAddress expected = requested != null ? requested : newestOwnHold(k, f);
      if (expected == null) {
        expected = firstFree(pool, k);
      }
      assertEquals(
          expected, vip, () -> where.get() + ": re-registration/probing: " + k + " in " + pool);
      released.remove(vip);
    }
    live.put(k, s);
  }

  private void refusedCreate(Command.UpsertService u, Outcome o) {
    ServiceKey k = u.key();
    String field;
    if (o instanceof Outcome.PoolExhausted p) {
      field = p.field();
    } else if (o instanceof Outcome.Conflict c) {
      field = c.field();
    } else {
      field = assertInstanceOf(Outcome.Invalid.class, o, where).field();
    }
    VipPool.Family f = field.equals("vip4") ? VipPool.Family.IPV4 : VipPool.Family.IPV6;
    VipPool pool = settings.pool(f);
    InetAddress requested = f == VipPool.Family.IPV4 ? u.spec().vip4() : u.spec().vip6();
    if (o instanceof Outcome.PoolExhausted) {
      assertNull(requested, where);
      assertNull(
          newestOwnHold(k, f), () -> where.get() + ": exhausted although " + k + " holds a VIP");
      for (long off = 0; off <= pool.capacity() + 1; off++) {
        InetAddress a = pool.addressAt(off);
        if (pool.usable(off) && ownerOf(a) == null && !released.containsKey(a)) {
          fail(where.get() + ": exhaustion: " + IpAddresses.format(a) + " is free in " + pool);
        }
      }
    } else if (o instanceof Outcome.Conflict) {
      Released r = released.get(requested);
      boolean takenByOther = ownerOf(requested) != null || (r != null && !r.owner().equals(k));
      assertTrue(takenByOther, () -> where.get() + ": conflict over free " + requested);
    } else {
      assertTrue(
          pool == null || !pool.usable(requested),
          () -> where.get() + ": " + requested + " is usable");
    }
  }

  private static boolean changes(InetAddress requested, InetAddress current) {
    return requested != null && !requested.equals(current);
  }

  private ServiceKey ownerOf(InetAddress vip) {
    for (Service s : live.values()) {
      if (vip.equals(s.vip4()) || vip.equals(s.vip6())) {
        return s.key();
      }
    }
    return null;
  }

  /**
   * The VIP released by {@code k} most recently (ties: lowest text) that is still held, or null.
   */
  private InetAddress newestOwnHold(ServiceKey k, VipPool.Family f) {
    InetAddress best = null;
    long bestExpiry = Long.MIN_VALUE;
    for (Map.Entry<InetAddress, Released> e : released.entrySet()) {
      if (!e.getValue().owner().equals(k) || VipPool.Family.of(e.getKey()) != f) {
        continue;
      }
      long exp = e.getValue().expiresAt();
      if (exp > bestExpiry
          || (exp == bestExpiry
              && IpAddresses.format(e.getKey()).compareTo(IpAddresses.format(best)) < 0)) {
        best = e.getKey();
        bestExpiry = exp;
      }
    }
    return best;
  }

  /** The first usable address, probing up from the name's preferred offset, that nobody holds. */
  private InetAddress firstFree(VipPool pool, ServiceKey k) {
    long off = pool.preferredOffset(k);
    for (long step = 0; step <= pool.capacity() + 1; step++, off = pool.next(off)) {
      InetAddress a = pool.addressAt(off);
      if (pool.usable(off) && ownerOf(a) == null && !released.containsKey(a)) {
        return a;
      }
    }
    return fail(where.get() + ": allocated although no address of " + pool + " is free");
  }
}
