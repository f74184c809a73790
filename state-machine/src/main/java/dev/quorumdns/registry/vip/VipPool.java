package dev.quorumdns.registry.vip;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * A CIDR block VIPs are drawn from. Addresses are handled as offsets from the network address; the
 * network address (and, for IPv4, the broadcast address) is never handed out. Immutable and
 * thread-safe.
 */
public final class VipPool {
  /** Address family of a pool. */
  public enum Family {
    IPV4("vip4", 4),
    IPV6("vip6", 16);

    private final String field;
    private final int bytes;

    Family(String field, int bytes) {
      this.field = field;
      this.bytes = bytes;
    }

    /** The name of the service field holding a VIP of this family. */
    public String field() {
      return field;
    }

    public static Family of(InetAddress a) {
      return a instanceof Inet4Address ? IPV4 : IPV6;
    }
  }

  private final Family family;
  private final byte[] network;
  private final int prefix;
  private final int hostBits;
  private final long mask;

  private VipPool(Family family, byte[] network, int prefix) {
    this.family = family;
    this.network = network;
    this.prefix = prefix;
    this.hostBits = family.bytes * 8 - prefix;
    this.mask = hostBits == 64 ? -1L : (1L << hostBits) - 1;
  }

  /**
   * Parses {@code a.b.c.d/n} (n in 1..30) or {@code x::/n} (n in 64..126); host bits must be zero.
   *
   * @throws ValidationException naming {@code field}
   */
  public static VipPool parse(String field, String cidr) {
    if (cidr == null || cidr.isBlank()) {
      throw new ValidationException(
          field, "is required (expected: a CIDR block such as 240.0.0.0/4)");
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new ValidationException(
          field, "'" + cidr + "' has no prefix length (expected: address/prefix)");
    }
    InetAddress a = IpAddresses.parse(field, cidr.substring(0, slash));
    Family family = Family.of(a);
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new ValidationException(field, "'" + cidr + "' has a bad prefix length");
    }
    int min = family == Family.IPV4 ? 1 : 64;
    int max = family == Family.IPV4 ? 30 : 126;
    if (prefix < min || prefix > max) {
      throw new ValidationException(
          field,
          "prefix /"
              + prefix
              + " (expected: "
              + min
              + ".."
              + max
              + " for "
              + (family == Family.IPV4 ? "IPv4" : "IPv6")
              + ")");
    }
    VipPool pool = new VipPool(family, a.getAddress(), prefix);
    if (pool.hostPart(a.getAddress()) != 0) {
      throw new ValidationException(
          field,
          "'"
              + cidr
              + "' has host bits set (expected: the network address "
              + IpAddresses.format(pool.addressAt(0))
              + "/"
              + prefix
              + ")");
    }
    return pool;
  }

  public Family family() {
    return family;
  }

  public int prefix() {
    return prefix;
  }

  /** How many addresses can be handed out; saturates at {@link Long#MAX_VALUE}. */
  public long capacity() {
    if (hostBits >= 63) {
      return Long.MAX_VALUE;
    }
    return (1L << hostBits) - (family == Family.IPV4 ? 2 : 1);
  }

  public boolean contains(InetAddress a) {
    if (Family.of(a) != family) {
      return false;
    }
    byte[] b = a.getAddress();
    int fullBytes = prefix / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (b[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int m = (0xff << (8 - rest)) & 0xff;
    return (b[fullBytes] & m) == (network[fullBytes] & m);
  }

  /** True if the address at {@code offset} may be handed out. */
  public boolean usable(long offset) {
    return offset != 0 && !(family == Family.IPV4 && offset == mask);
  }

  /** Whether {@code a} is in the pool and may be handed out. */
  public boolean usable(InetAddress a) {
    return contains(a) && usable(offsetOf(a));
  }

  public long offsetOf(InetAddress a) {
    return hostPart(a.getAddress());
  }

  private long hostPart(byte[] b) {
    long v = 0;
    for (int i = Math.max(0, b.length - 8); i < b.length; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v & mask;
  }

  public InetAddress addressAt(long offset) {
    byte[] b = network.clone();
    long v = offset & mask;
    for (int i = b.length - 1; i >= 0 && i >= b.length - 8; i--) {
      b[i] = (byte) (b[i] | (v & 0xff));
      v >>>= 8;
    }
    try {
      return family == Family.IPV4
          ? InetAddress.getByAddress(b)
          : Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The next offset after {@code offset}, wrapping around the pool. */
  public long next(long offset) {
    return (offset + 1) & mask;
  }

  /**
   * Where the search for {@code key}'s VIP starts: a fixed hash of {@code namespace/name}. This
   * function is part of the stored-state contract; changing it changes which VIP new names get.
   */
  public long preferredOffset(ServiceKey key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (key.namespace() + "/" + key.name()).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h & mask;
  }

  /** The block in CIDR notation. */
  public String cidr() {
    return IpAddresses.format(addressAt(0)) + "/" + prefix;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VipPool p && p.family == family && p.cidr().equals(cidr());
  }

  @Override
  public int hashCode() {
    return cidr().hashCode();
  }

  @Override
  public String toString() {
    return cidr();
  }
}
