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
import java.util.Arrays;

/**
 * The compact in-memory form of one service, its <em>entry</em>: one byte array holding flags (an
 * IPv6 VIP, no IPv4 VIP because headless, an endpoint with a lease), the IPv4 VIP (zeros when there
 * is none), revision, create revision, the IPv6 VIP (if any), namespace and name (ASCII,
 * length-prefixed) and the spec as {@link RegistryCodec#writeSpec} encodes it. Entries are never
 * changed once made. Stateless helpers; any thread.
 */
final class ServiceEntry {
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int FLAG_VIP6 = 1;

  /** Headless: no IPv4 VIP (its four bytes are zero). */
  private static final int FLAG_NO_VIP4 = 2;

  /** An endpoint names a lease. */
  private static final int FLAG_LEASED = 4;

  private static final int VIP4 = 1;
  private static final int REVISION = 5;
  private static final int CREATE_REVISION = 13;
  private static final int VIP6 = 21;

  private ServiceEntry() {}

  /** The entry of {@code s}. */
  static byte[] encode(Service s) {
    byte[] ns = s.key().namespace().getBytes(StandardCharsets.US_ASCII);
    byte[] name = s.key().name().getBytes(StandardCharsets.US_ASCII);
    ByteSink out = new ByteSink(48 + ns.length + name.length);
    boolean leased = s.spec().endpoints().stream().anyMatch(e -> e.lease() != null);
    out.u8(
            (s.vip6() != null ? FLAG_VIP6 : 0)
                | (s.vip4() == null ? FLAG_NO_VIP4 : 0)
                | (leased ? FLAG_LEASED : 0))
        .raw(s.vip4() == null ? new byte[4] : s.vip4().getAddress())
        .fixedLong(s.revision())
        .fixedLong(s.createRevision());
    if (s.vip6() != null) {
      out.raw(s.vip6().getAddress());
    }
    out.u8(ns.length).raw(ns).u8(name.length).raw(name);
    RegistryCodec.writeSpec(out, s.spec());
    return out.toByteArray();
  }

  /**
   * The entry of a stored service read in place, without building it: its spec bytes are copied as
   * they are.
   */
  static byte[] encode(StoredService s) {
    byte[] v = s.value();
    boolean six = s.vip6Offset() >= 0;
    int key = six ? VIP6 + 16 : VIP6;
    int spec = s.specEnd() - s.specOffset();
    byte[] e = new byte[key + 2 + s.namespaceLength() + s.nameLength() + spec];
    e[0] =
        (byte)
            ((six ? FLAG_VIP6 : 0)
                | (s.vip4Offset() < 0 ? FLAG_NO_VIP4 : 0)
                | (s.leaseCount() > 0 ? FLAG_LEASED : 0));
    if (s.vip4Offset() >= 0) {
      System.arraycopy(v, s.vip4Offset(), e, VIP4, 4);
    }
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
      throw new IllegalStateException(
          "in-memory entry of " + key + " does not decode: " + ex.getMessage(), ex);
    }
    try {
      Inet4Address v4 =
          hasVip4(e)
              ? (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(e, VIP4, VIP4 + 4))
              : null;
      Inet6Address v6 =
          hasVip6(e)
              ? Inet6Address.getByAddress(null, Arrays.copyOfRange(e, VIP6, VIP6 + 16), -1)
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
    return new ServiceKey(
        new String(e, k + 1, nsLength, StandardCharsets.ISO_8859_1),
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

  /** False for a headless service. */
  static boolean hasVip4(byte[] e) {
    return (e[0] & FLAG_NO_VIP4) == 0;
  }

  /** True if one of the service's endpoints names a lease. */
  static boolean leased(byte[] e) {
    return (e[0] & FLAG_LEASED) != 0;
  }

  static int keyOffset(byte[] e) {
    return hasVip6(e) ? VIP6 + 16 : VIP6;
  }

  static int vip4(byte[] e) {
    return (int) INT.get(e, VIP4);
  }

  static long vip6High(byte[] e) {
    return (long) LONG.get(e, VIP6);
  }

  static long vip6Low(byte[] e) {
    return (long) LONG.get(e, VIP6 + 8);
  }

  /**
   * {@code String.hashCode()} of the namespace, times 31, plus that of the name: what {@link
   * #keyHash} gives.
   */
  static int keyHashOf(byte[] e) {
    int k = keyOffset(e);
    int nsLength = e[k] & 0xff;
    int n = k + 1 + nsLength;
    return 31 * asciiHash(e, k + 1, nsLength) + asciiHash(e, n + 1, e[n] & 0xff);
  }

  static int keyHash(String ns, String name) {
    return 31 * ns.hashCode() + name.hashCode();
  }

  /** True if both entries hold the same key. */
  static boolean sameKey(byte[] a, byte[] b) {
    int ka = keyOffset(a);
    int kb = keyOffset(b);
    int na = ka + 1 + (a[ka] & 0xff);
    int endA = na + 1 + (a[na] & 0xff);
    int nb = kb + 1 + (b[kb] & 0xff);
    int endB = nb + 1 + (b[nb] & 0xff);
    return na - ka == nb - kb && Arrays.equals(a, ka, endA, b, kb, endB);
  }

  /** True if both entries hold an IPv6 VIP and it is the same. */
  static boolean sameVip6(byte[] a, byte[] b) {
    return hasVip6(a) && hasVip6(b) && Arrays.equals(a, VIP6, VIP6 + 16, b, VIP6, VIP6 + 16);
  }

  /** True if the entry holds the key {@code ns}/{@code name}. Allocation-free. */
  static boolean keyEquals(byte[] e, String ns, String name) {
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
}
