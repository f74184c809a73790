package dev.quorumdns.dns.lookup;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.vip.VipPool;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The zones a node is authoritative for: the forward zone and the reverse zones covering the VIP pools.
 * A pool is covered exactly: its prefix is rounded up to the next label boundary (octet for IPv4, nibble for
 * IPv6) and one zone is made per block of that size, so {@code 240.0.0.0/4} gives {@code 240.in-addr.arpa}
 * .. {@code 255.in-addr.arpa} and {@code fd00:fd00::/64} gives one {@code ip6.arpa} zone. Nothing outside a
 * pool is ever claimed. Immutable and thread-safe.
 */
public final class Zones {
  private static final Name IN_ADDR = Name.fromConstantString("in-addr.arpa.");
  private static final Name IP6 = Name.fromConstantString("ip6.arpa.");

  private final Name forward;
  private final Map<Name, VipPool> reverse;

  private Zones(Name forward, Map<Name, VipPool> reverse) {
    this.forward = forward;
    this.reverse = Collections.unmodifiableMap(reverse);
  }

  public static Zones of(String domain, ClusterSettings settings) {
    Map<Name, VipPool> rev = new LinkedHashMap<>();
    if (settings != null) {
      addReverse(rev, settings.vip4Pool());
      if (settings.vip6Pool() != null) {
        addReverse(rev, settings.vip6Pool());
      }
    }
    return new Zones(absolute(domain), rev);
  }

  static Name absolute(String name) {
    try {
      return Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad domain " + name, e);
    }
  }

  private static void addReverse(Map<Name, VipPool> out, VipPool pool) {
    boolean v4 = pool.family() == VipPool.Family.IPV4;
    int unit = v4 ? 8 : 4;
    int rounded = (pool.prefix() + unit - 1) / unit * unit;
    int bits = v4 ? 32 : 128;
    long blocks = 1L << (rounded - pool.prefix());
    int shift = bits - rounded;
    for (long k = 0; k < blocks; k++) {
      // A shift of 64 only happens for a /64 pool, which is one block (k == 0).
      InetAddress start = pool.addressAt(shift >= 64 ? 0 : k << shift);
      out.put(reverseName(start, rounded / unit), pool);
    }
  }

  /** The reverse name of the first {@code labels} octets (IPv4) or nibbles (IPv6) of {@code a}. */
  static Name reverseName(InetAddress a, int labels) {
    byte[] b = a.getAddress();
    List<String> parts = new ArrayList<>();
    if (b.length == 4) {
      for (int i = 0; i < labels; i++) {
        parts.add(0, Integer.toString(b[i] & 0xff));
      }
      return join(parts, IN_ADDR);
    }
    for (int i = 0; i < labels; i++) {
      int nibble = (b[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
      parts.add(0, Integer.toHexString(nibble));
    }
    return join(parts, IP6);
  }

  private static Name join(List<String> parts, Name suffix) {
    try {
      return parts.isEmpty() ? suffix : Name.fromString(String.join(".", parts), suffix);
    } catch (TextParseException e) {
      throw new IllegalStateException(e);
    }
  }

  public Name forward() {
    return forward;
  }

  /** Every reverse zone apex, in pool order. */
  public List<Name> reverseZones() {
    return List.copyOf(reverse.keySet());
  }

  /** The zone apex {@code name} (lower case) belongs to, or null if it is outside all of them. */
  public Name zoneOf(Name name) {
    if (name.subdomain(forward)) {
      return forward;
    }
    if (reverse.isEmpty() || !(name.subdomain(IN_ADDR) || name.subdomain(IP6))) {
      return null;
    }
    for (int strip = 0; strip < name.labels(); strip++) {
      Name candidate = strip == 0 ? name : new Name(name, strip);
      if (reverse.containsKey(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** The address a full-length reverse name stands for, or null if it is not one. */
  static InetAddress addressOf(Name name) {
    boolean v4 = name.subdomain(IN_ADDR);
    int want = v4 ? 4 : 32;
    if (name.labels() != want + IN_ADDR.labels()) {
      return null;
    }
    byte[] out = new byte[v4 ? 4 : 16];
    for (int i = 0; i < want; i++) {
      String label = name.getLabelString(i);
      try {
        if (v4) {
          if (label.isEmpty() || label.length() > 3 || (label.length() > 1 && label.charAt(0) == '0')) {
            return null;
          }
          int v = Integer.parseInt(label);
          if (v > 255) {
            return null;
          }
          out[3 - i] = (byte) v;
        } else {
          if (label.length() != 1) {
            return null;
          }
          int nibble = Integer.parseInt(label, 16);
          int pos = 31 - i;
          out[pos / 2] |= (byte) (pos % 2 == 0 ? nibble << 4 : nibble);
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    try {
      return v4 ? InetAddress.getByAddress(out) : java.net.Inet6Address.getByAddress(null, out, -1);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
