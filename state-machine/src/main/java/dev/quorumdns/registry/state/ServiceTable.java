package dev.quorumdns.registry.state;

import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.store.StoredService;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The services of one replica in compact form. Each service is one immutable byte array, its <em>entry</em>:
 * flags, IPv4 VIP, revision, create revision, IPv6 VIP (if any), namespace and name (ASCII, length-prefixed) and
 * the spec as {@link RegistryCodec#writeSpec} encodes it. Three open-addressed tables of entry references find
 * them by key, by IPv4 VIP and by IPv6 VIP. A service costs about 100 bytes of heap here, where the graph of
 * {@link Service}, key, spec, addresses and map nodes it replaces cost about 700; a {@link Service} is built
 * from its entry when asked for.
 *
 * <p>One writer (the apply thread; the loader before the table is published), any number of lock-free readers.
 * An entry never changes once stored: the writer swaps whole entries into slots with release stores and readers
 * load slots with acquire loads, so each read sees one whole service. A deletion leaves a tombstone, which readers
 * probe past, so a reader never misses a live entry while others are deleted; a table whose tombstones and entries
 * fill three quarters of it is rebuilt and swapped in whole, and the old array is never written again.
 */
final class ServiceTable {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final byte[] TOMBSTONE = new byte[0];
  private static final int FLAG_VIP6 = 1;
  private static final int VIP4 = 1;
  private static final int REVISION = 5;
  private static final int CREATE_REVISION = 13;
  private static final int VIP6 = 21;

  private enum Kind { KEY, VIP4, VIP6 }

  /** One open-addressed table; {@code used} counts entries and tombstones. Fields other than slots: writer only. */
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
  private volatile int withVip6;

  // ---- entries ----

  /** The entry of {@code s}. */
  static byte[] encode(Service s) {
    byte[] ns = s.key().namespace().getBytes(StandardCharsets.US_ASCII);
    byte[] name = s.key().name().getBytes(StandardCharsets.US_ASCII);
    ByteSink out = new ByteSink(48 + ns.length + name.length);
    out.u8(s.vip6() != null ? FLAG_VIP6 : 0).raw(s.vip4().getAddress()).fixedLong(s.revision())
        .fixedLong(s.createRevision());
    if (s.vip6() != null) {
      out.raw(s.vip6().getAddress());
    }
    out.u8(ns.length).raw(ns).u8(name.length).raw(name);
    RegistryCodec.writeSpec(out, s.spec());
    return out.toByteArray();
  }

  /** The entry of a stored service read in place, without building it: its spec bytes are copied as they are. */
  static byte[] encode(StoredService s) {
    byte[] v = s.value();
    boolean six = s.vip6Offset() >= 0;
    int key = six ? VIP6 + 16 : VIP6;
    int spec = s.specEnd() - s.specOffset();
    byte[] e = new byte[key + 2 + s.namespaceLength() + s.nameLength() + spec];
    e[0] = (byte) (six ? FLAG_VIP6 : 0);
    System.arraycopy(v, s.vip4Offset(), e, VIP4, 4);
    LONG.set(e, REVISION, s.revision());
    LONG.set(e, CREATE_REVISION, s.createRevision());
    if (six) {
      System.arraycopy(v, s.vip6Offset(), e, VIP6, 16);
    }
    e[key] = (byte) s.namespaceLength();
    System.arraycopy(v, s.namespaceOffset(), e, key + 1, s.namespaceLength());
    int n = key + 1 + s.namespaceLength();
    e[n] = (byte) s.nameLength();
    System.arraycopy(v, s.nameOffset(), e, n + 1, s.nameLength());
    System.arraycopy(v, s.specOffset(), e, n + 1 + s.nameLength(), spec);
    return e;
  }

  /** The service an entry holds. Allocates; not for the DNS hot path. */
  static Service decode(byte[] e) {
    ServiceKey key = key(e);
    int spec = keyOffset(e) + 2 + key.namespace().length() + key.name().length();
    ServiceSpec s;
    try {
      ByteSource in = new ByteSource(e, spec, e.length - spec);
      s = RegistryCodec.readSpec(in);
      in.expectEnd("spec");
    } catch (CodecException ex) {
      throw new IllegalStateException("in-memory entry of " + key + " does not decode: " + ex.getMessage(), ex);
    }
    try {
      Inet4Address v4 = (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(e, VIP4, VIP4 + 4));
      Inet6Address v6 = hasVip6(e) ? Inet6Address.getByAddress(null, Arrays.copyOfRange(e, VIP6, VIP6 + 16), -1)
          : null;
      return new Service(key, s, v4, v6, revision(e), (long) LONG.get(e, CREATE_REVISION));
    } catch (UnknownHostException ex) {
      throw new AssertionError(ex);
    }
  }

  static ServiceKey key(byte[] e) {
    int k = keyOffset(e);
    int nsLength = e[k] & 0xff;
    int n = k + 1 + nsLength;
    return new ServiceKey(new String(e, k + 1, nsLength, StandardCharsets.ISO_8859_1),
        new String(e, n + 1, e[n] & 0xff, StandardCharsets.ISO_8859_1));
  }

  static String namespace(byte[] e) {
    int k = keyOffset(e);
    return new String(e, k + 1, e[k] & 0xff, StandardCharsets.ISO_8859_1);
  }

  static boolean inNamespace(byte[] e, String namespace) {
    int k = keyOffset(e);
    if ((e[k] & 0xff) != namespace.length()) {
      return false;
    }
    for (int i = 0; i < namespace.length(); i++) {
      if (e[k + 1 + i] != (byte) namespace.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static long revision(byte[] e) {
    return (long) LONG.get(e, REVISION);
  }

  static boolean hasVip6(byte[] e) {
    return (e[0] & FLAG_VIP6) != 0;
  }

  private static int keyOffset(byte[] e) {
    return hasVip6(e) ? VIP6 + 16 : VIP6;
  }

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
      if (e != TOMBSTONE && keyEquals(e, ns, name)) {
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
        if (e != TOMBSTONE && (int) INT.get(e, VIP4) == v) {
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
      if (e != TOMBSTONE && (long) LONG.get(e, VIP6) == hi && (long) LONG.get(e, VIP6 + 8) == lo) {
        return e;
      }
    }
  }

  int size() {
    return size;
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
   * Stores {@code e} for a key not yet present. The VIPs are indexed before the key, so a PTR never lags an A.
   *
   * @return the entry already holding one of {@code e}'s VIPs (then nothing changed), or null
   */
  byte[] add(byte[] e) {
    byte[] holder = find(byVip4, e);
    if (holder == null && hasVip6(e)) {
      holder = find(byVip6, e);
    }
    if (holder != null) {
      return holder;
    }
    put(byVip4, e);
    if (hasVip6(e)) {
      put(byVip6, e);
      withVip6++;
    }
    put(byKey, e);
    size++;
    return null;
  }

  /** Swaps {@code old} for {@code neu} (same key); the name never disappears for readers meanwhile. */
  void replace(byte[] old, byte[] neu) {
    put(byVip4, neu);
    if (hasVip6(neu)) {
      put(byVip6, neu);
    }
    put(byKey, neu);
    removeSame(byVip4, old);
    if (hasVip6(old)) {
      removeSame(byVip6, old);
    }
    withVip6 += (hasVip6(neu) ? 1 : 0) - (hasVip6(old) ? 1 : 0);
  }

  /** Removes {@code e}: its key first, then its VIPs. */
  void remove(byte[] e) {
    removeSame(byKey, e);
    removeSame(byVip4, e);
    if (hasVip6(e)) {
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

  /** Stores {@code e} in place of the entry it matches, else in the first free slot of its chain. */
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

  /** Rehashes the live entries into a table at most half full with {@code live} entries, then publishes it. */
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

  /** Makes room for {@code n} services without rebuilding on the way (the loader knows roughly how many). */
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
      case KEY -> {
        int k = keyOffset(e);
        int nsLength = e[k] & 0xff;
        int n = k + 1 + nsLength;
        yield mix(31 * asciiHash(e, k + 1, nsLength) + asciiHash(e, n + 1, e[n] & 0xff));
      }
      case VIP4 -> mix((int) INT.get(e, VIP4));
      case VIP6 -> vip6Hash((long) LONG.get(e, VIP6), (long) LONG.get(e, VIP6 + 8));
    };
  }

  private static boolean matches(Kind kind, byte[] a, byte[] b) {
    return switch (kind) {
      case KEY -> {
        int ka = keyOffset(a);
        int kb = keyOffset(b);
        int na = ka + 1 + (a[ka] & 0xff);
        int endA = na + 1 + (a[na] & 0xff);
        int nb = kb + 1 + (b[kb] & 0xff);
        int endB = nb + 1 + (b[nb] & 0xff);
        yield na - ka == nb - kb && Arrays.equals(a, ka, endA, b, kb, endB);
      }
      case VIP4 -> (int) INT.get(a, VIP4) == (int) INT.get(b, VIP4);
      case VIP6 -> hasVip6(a) && Arrays.equals(a, VIP6, VIP6 + 16, b, VIP6, VIP6 + 16);
    };
  }

  private static boolean keyEquals(byte[] e, String ns, String name) {
    int k = keyOffset(e);
    if ((e[k] & 0xff) != ns.length()) {
      return false;
    }
    for (int i = 0; i < ns.length(); i++) {
      if (e[k + 1 + i] != (byte) ns.charAt(i)) {
        return false;
      }
    }
    int n = k + 1 + ns.length();
    if ((e[n] & 0xff) != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (e[n + 1 + i] != (byte) name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** {@link String#hashCode} of the ASCII text in {@code e[from..from+length)}. */
  private static int asciiHash(byte[] e, int from, int length) {
    int h = 0;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + (e[i] & 0xff);
    }
    return h;
  }

  private static int keyHash(String ns, String name) {
    return mix(31 * ns.hashCode() + name.hashCode());
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
