package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ServiceKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The services of one replica as {@link ServiceEntry entries} (one immutable byte array each),
 * found through three open-addressed tables of entry references: by key, by IPv4 VIP and by IPv6
 * VIP. A service costs about 115 bytes of heap here (entry and table slots), where the graph of
 * {@code Service}, key, spec, addresses and map nodes it replaces cost about 740; a {@code Service}
 * is built from its entry when asked for.
 *
 * <p>One writer (the apply thread; the loader before the table is published), any number of
 * lock-free readers. An entry never changes once stored: the writer swaps whole entries into slots
 * with release stores and readers load slots with acquire loads, so each read sees one whole
 * service. A deletion leaves a tombstone, which readers probe past, so a reader never misses a live
 * entry while others are deleted; a table whose tombstones and entries fill three quarters of it is
 * rebuilt and swapped in whole, and the old array is never written again.
 */
final class ServiceTable {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final byte[] TOMBSTONE = new byte[0];

  private enum Kind {
    KEY,
    VIP4,
    VIP6
  }

  /**
   * One open-addressed table; {@code used} counts entries and tombstones. Fields other than slots:
   * writer only.
   */
  private static final class Probe {
    final Kind kind;
    volatile byte[][] slots = new byte[16][];
    int used;
    int live;

    Probe(Kind kind) {
      this.kind = kind;
    }
  }

  private final Probe byKey = new Probe(Kind.KEY);
  private final Probe byVip4 = new Probe(Kind.VIP4);
  private final Probe byVip6 = new Probe(Kind.VIP6);
  private volatile int size;
  private volatile int withVip4;
  private volatile int withVip6;

  // ---- reads: any thread ----

  /** The entry registered under {@code key}, or null. Allocation-free. */
  byte[] get(ServiceKey key) {
    String ns = key.namespace();
    String name = key.name();
    byte[][] s = byKey.slots;
    int mask = s.length - 1;
    for (int i = keyHash(ns, name) & mask; ; i = (i + 1) & mask) {
      byte[] e = (byte[]) SLOT.getAcquire(s, i);
      if (e == null) {
        return null;
      }
      if (e != TOMBSTONE && ServiceEntry.keyEquals(e, ns, name)) {
        return e;
      }
    }
  }

  /** The entry holding {@code vip}, or null. */
  byte[] byVip(InetAddress vip) {
    if (vip instanceof Inet4Address) {
      int v = vip.hashCode(); // an Inet4Address hashes to its address
      byte[][] s = byVip4.slots;
      int mask = s.length - 1;
      for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
        byte[] e = (byte[]) SLOT.getAcquire(s, i);
        if (e == null) {
          return null;
        }
        if (e != TOMBSTONE && ServiceEntry.vip4(e) == v) {
          return e;
        }
      }
    }
    byte[] a = vip.getAddress();
    long hi = (long) LONG.get(a, 0);
    long lo = (long) LONG.get(a, 8);
    byte[][] s = byVip6.slots;
    int mask = s.length - 1;
    for (int i = vip6Hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      byte[] e = (byte[]) SLOT.getAcquire(s, i);
      if (e == null) {
        return null;
      }
      if (e != TOMBSTONE && ServiceEntry.vip6High(e) == hi && ServiceEntry.vip6Low(e) == lo) {
        return e;
      }
    }
  }

  int size() {
    return size;
  }

  /** How many services hold an IPv4 VIP (all but the headless ones). */
  int withVip4() {
    return withVip4;
  }

  /** How many services hold an IPv6 VIP. */
  int withVip6() {
    return withVip6;
  }

  /** Every entry, in no order: a weakly consistent walk of the current key table. */
  List<byte[]> entries() {
    byte[][] s = byKey.slots;
    List<byte[]> out = new ArrayList<>(size);
    for (int i = 0; i < s.length; i++) {
      byte[] e = (byte[]) SLOT.getAcquire(s, i);
      if (e != null && e != TOMBSTONE) {
        out.add(e);
      }
    }
    return out;
  }

  // ---- writes: one thread ----

  /**
   * Stores {@code e} for a key not yet present. The VIPs are indexed before the key, so a PTR never
   * lags an A.
   *
   * @return the entry already holding one of {@code e}'s VIPs (then nothing changed), or null
   */
  byte[] add(byte[] e) {
    byte[] holder = ServiceEntry.hasVip4(e) ? find(byVip4, e) : null;
    if (holder == null && ServiceEntry.hasVip6(e)) {
      holder = find(byVip6, e);
    }
    if (holder != null) {
      return holder;
    }
    if (ServiceEntry.hasVip4(e)) {
      put(byVip4, e);
      withVip4++;
    }
    if (ServiceEntry.hasVip6(e)) {
      put(byVip6, e);
      withVip6++;
    }
    put(byKey, e);
    size++;
    return null;
  }

  /**
   * Swaps {@code old} for {@code neu} (same key); the name never disappears for readers meanwhile.
   */
  void replace(byte[] old, byte[] neu) {
    if (ServiceEntry.hasVip4(neu)) {
      put(byVip4, neu);
    }
    if (ServiceEntry.hasVip6(neu)) {
      put(byVip6, neu);
    }
    put(byKey, neu);
    if (ServiceEntry.hasVip4(old)) {
      removeSame(byVip4, old);
    }
    if (ServiceEntry.hasVip6(old)) {
      removeSame(byVip6, old);
    }
    withVip4 += (ServiceEntry.hasVip4(neu) ? 1 : 0) - (ServiceEntry.hasVip4(old) ? 1 : 0);
    withVip6 += (ServiceEntry.hasVip6(neu) ? 1 : 0) - (ServiceEntry.hasVip6(old) ? 1 : 0);
  }

  /** Removes {@code e}: its key first, then its VIPs. */
  void remove(byte[] e) {
    removeSame(byKey, e);
    if (ServiceEntry.hasVip4(e)) {
      removeSame(byVip4, e);
      withVip4--;
    }
    if (ServiceEntry.hasVip6(e)) {
      removeSame(byVip6, e);
      withVip6--;
    }
    size--;
  }

  /** The stored entry matching {@code e} in {@code p}'s sense (same key, or same VIP), or null. */
  private static byte[] find(Probe p, byte[] e) {
    byte[][] s = p.slots;
    int mask = s.length - 1;
    for (int i = hash(p.kind, e) & mask; ; i = (i + 1) & mask) {
      byte[] x = s[i];
      if (x == null) {
        return null;
      }
      if (x != TOMBSTONE && matches(p.kind, x, e)) {
        return x;
      }
    }
  }

  /**
   * Stores {@code e} in place of the entry it matches, else in the first free slot of its chain.
   */
  private static void put(Probe p, byte[] e) {
    if (p.used + 1 > p.slots.length / 4 * 3) {
      rebuild(p, p.live + 1);
    }
    byte[][] s = p.slots;
    int mask = s.length - 1;
    int free = -1;
    for (int i = hash(p.kind, e) & mask; ; i = (i + 1) & mask) {
      byte[] x = s[i];
      if (x == null) {
        if (free < 0) {
          free = i;
          p.used++;
        }
        break;
      }
      if (x == TOMBSTONE) {
        if (free < 0) {
          free = i;
        }
      } else if (matches(p.kind, x, e)) {
        SLOT.setRelease(s, i, e);
        return;
      }
    }
    p.live++;
    SLOT.setRelease(s, free, e);
  }

  /** Replaces {@code e} itself (not an entry it merely matches) by a tombstone, if it is there. */
  private static void removeSame(Probe p, byte[] e) {
    byte[][] s = p.slots;
    int mask = s.length - 1;
    for (int i = hash(p.kind, e) & mask; ; i = (i + 1) & mask) {
      byte[] x = s[i];
      if (x == null) {
        return;
      }
      if (x == e) {
        SLOT.setRelease(s, i, TOMBSTONE);
        p.live--;
        return;
      }
    }
  }

  /**
   * Rehashes the live entries into a table at most half full with {@code live} entries, then
   * publishes it.
   */
  private static void rebuild(Probe p, int live) {
    int capacity = 16;
    while (capacity / 2 < live) {
      capacity <<= 1;
    }
    byte[][] old = p.slots;
    byte[][] s = new byte[capacity][];
    int mask = capacity - 1;
    int n = 0;
    for (byte[] e : old) {
      if (e != null && e != TOMBSTONE) {
        int i = hash(p.kind, e) & mask;
        while (s[i] != null) {
          i = (i + 1) & mask;
        }
        s[i] = e;
        n++;
      }
    }
    p.used = n;
    p.live = n;
    p.slots = s; // volatile: readers that load the table from now on see every entry in it
  }

  /**
   * Makes room for {@code n} services without rebuilding on the way (the loader knows roughly how
   * many).
   */
  void reserve(int n) {
    for (Probe p : new Probe[] {byKey, byVip4, byVip6}) {
      if (p.slots.length / 4 * 3 < n) {
        rebuild(p, n);
      }
    }
  }

  // ---- hashing and matching ----

  private static int hash(Kind kind, byte[] e) {
    return switch (kind) {
      case KEY -> mix(ServiceEntry.keyHashOf(e));
      case VIP4 -> mix(ServiceEntry.vip4(e));
      case VIP6 -> vip6Hash(ServiceEntry.vip6High(e), ServiceEntry.vip6Low(e));
    };
  }

  private static boolean matches(Kind kind, byte[] a, byte[] b) {
    return switch (kind) {
      case KEY -> ServiceEntry.sameKey(a, b);
      case VIP4 -> ServiceEntry.vip4(a) == ServiceEntry.vip4(b);
      case VIP6 -> ServiceEntry.sameVip6(a, b);
    };
  }

  private static int keyHash(String ns, String name) {
    return mix(ServiceEntry.keyHash(ns, name));
  }

  private static int vip6Hash(long hi, long lo) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo;
    h *= 0xC2B2AE3D27D4EB4FL;
    return (int) (h ^ (h >>> 32));
  }

  private static int mix(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
