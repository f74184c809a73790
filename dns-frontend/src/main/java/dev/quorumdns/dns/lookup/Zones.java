package dev.quorumdns.dns.lookup;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.vip.VipPool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The zones a node is authoritative for: the forward zone and the reverse zones covering the VIP
 * pools.
 *
 * <p>A pool's prefix is rounded <em>up</em> to the next label boundary (8 bits for IPv4, 4 for
 * IPv6) and one zone is made per block of that size, so the zones cover the pool exactly and never
 * claim addresses outside it: {@code 240.0.0.0/4} gives the 16 zones {@code 240.in-addr.arpa} ..
 * {@code 255.in-addr.arpa}, {@code 10.64.0.0/10} gives {@code 64.10.in-addr.arpa} .. {@code
 * 127.10.in-addr.arpa}, and {@code fd00:fd00::/64} gives the one zone {@code
 * 0.0.0.0.0.0.0.0.d.f.0.0.d.f.ip6.arpa}. Immutable.
 */
public final class Zones {
  private final Name forward;
  private final Map<Name, VipPool> reverse;
  private final List<Name> reverseInOrder;

  private Zones(Name forward, Map<Name, VipPool> reverse) {
    this.forward = forward;
    this.reverse = Map.copyOf(reverse);
    this.reverseInOrder = List.copyOf(reverse.keySet());
  }

  /**
   * The zones for {@code domain} and, once the cluster has them, the pools in {@code settings}
   * (nullable).
   */
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
    int shift = (v4 ? 32 : 128) - rounded;
    long blocks = 1L << (rounded - pool.prefix());
    for (long k = 0; k < blocks; k++) {
      // Host offsets have at most 64 bits; a shift of 64 or more happens only with a single block
      // (k == 0).
      out.put(
          ReverseNames.prefix(pool.addressAt(shift >= 64 ? 0 : k << shift), rounded / unit), pool);
    }
  }

  public Name forward() {
    return forward;
  }

  /** Every reverse zone apex: the IPv4 pool's in address order, then the IPv6 pool's. */
  public List<Name> reverseZones() {
    return reverseInOrder;
  }

  /** True if {@code name} (lower case, absolute) is the apex of one of the zones. */
  public boolean isApex(Name name) {
    return name.equals(forward) || reverse.containsKey(name);
  }

  /**
   * The apex of the zone {@code name} (lower case, absolute) belongs to, or null if it is in none.
   */
  public Name zoneOf(Name name) {
    if (name.subdomain(forward)) {
      return forward;
    }
    if (reverse.isEmpty() || !ReverseNames.inReverseTree(name)) {
      return null;
    }
    for (int strip = 0; strip < name.labels() - 2; strip++) {
      Name candidate = strip == 0 ? name : new Name(name, strip);
      if (reverse.containsKey(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
