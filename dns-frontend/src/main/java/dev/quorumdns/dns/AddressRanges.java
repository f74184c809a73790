package dev.quorumdns.dns;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ValidationException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A set of CIDR blocks, IPv4 and IPv6, that client addresses are matched against (who may recurse,
 * who is exempt from rate limiting). An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) matches
 * as its IPv4 address. Immutable and thread-safe; {@link #contains(byte[])} allocates nothing.
 */
public final class AddressRanges {
  /** The loopback ranges: 127.0.0.0/8 and ::1/128. */
  public static final String LOOPBACK = "127.0.0.0/8,::1/128";

  /** Loopback, RFC 1918 and unique-local IPv6 (RFC 4193). */
  public static final String PRIVATE =
      LOOPBACK + ",10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

  private final List<String> blocks;
  private final int[] net4;
  private final int[] mask4;
  private final long[] net6;
  private final long[] mask6;

  private AddressRanges(List<String> blocks, int[] net4, int[] mask4, long[] net6, long[] mask6) {
    this.blocks = List.copyOf(blocks);
    this.net4 = net4;
    this.mask4 = mask4;
    this.net6 = net6;
    this.mask6 = mask6;
  }

  /** No address at all. */
  public static AddressRanges none() {
    return new AddressRanges(List.of(), new int[0], new int[0], new long[0], new long[0]);
  }

  /**
   * Parses CIDR blocks such as {@code 10.0.0.0/8}, {@code fc00::/7} or a single address ({@code
   * 192.0.2.7}); the single word {@code none} is the empty set. Host bits must be zero.
   *
   * @throws ValidationException naming {@code field}
   */
  public static AddressRanges parse(String field, List<String> cidrs) {
    if (cidrs.size() == 1 && cidrs.get(0).trim().toLowerCase(Locale.ROOT).equals("none")) {
      return none();
    }
    List<String> blocks = new ArrayList<>();
    List<int[]> v4 = new ArrayList<>();
    List<long[]> v6 = new ArrayList<>();
    for (String raw : cidrs) {
      String c = raw.trim();
      int slash = c.indexOf('/');
      InetAddress a = IpAddresses.parse(field, slash < 0 ? c : c.substring(0, slash));
      byte[] b = a.getAddress();
      int max = b.length * 8;
      int prefix = slash < 0 ? max : prefix(field, c, c.substring(slash + 1), max);
      if (b.length == 4) {
        int addr = toInt(b, 0);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        if ((addr & ~mask) != 0) {
          throw hostBits(field, c);
        }
        v4.add(new int[] {addr, mask});
      } else {
        long hi = toLong(b, 0);
        long lo = toLong(b, 8);
        long maskHi = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
        long maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        if ((hi & ~maskHi) != 0 || (lo & ~maskLo) != 0) {
          throw hostBits(field, c);
        }
        v6.add(new long[] {hi, lo, maskHi, maskLo});
      }
      blocks.add(IpAddresses.format(a) + "/" + prefix);
    }
    int[] net4 = new int[v4.size()];
    int[] mask4 = new int[v4.size()];
    for (int i = 0; i < v4.size(); i++) {
      net4[i] = v4.get(i)[0];
      mask4[i] = v4.get(i)[1];
    }
    long[] net6 = new long[v6.size() * 2];
    long[] mask6 = new long[v6.size() * 2];
    for (int i = 0; i < v6.size(); i++) {
      long[] e = v6.get(i);
      net6[2 * i] = e[0];
      net6[2 * i + 1] = e[1];
      mask6[2 * i] = e[2];
      mask6[2 * i + 1] = e[3];
    }
    return new AddressRanges(blocks, net4, mask4, net6, mask6);
  }

  /** {@link #parse(String, List)} of a comma-separated list. */
  public static AddressRanges parse(String field, String commaSeparated) {
    List<String> parts = new ArrayList<>();
    for (String p : commaSeparated.split(",")) {
      if (!p.isBlank()) {
        parts.add(p);
      }
    }
    return parse(field, parts);
  }

  private static int prefix(String field, String cidr, String s, int max) {
    try {
      int p = Integer.parseInt(s);
      if (p >= 0 && p <= max) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ValidationException(
        field,
        "'"
            + printable(cidr)
            + "' (expected: a CIDR block such as "
            + (max == 32 ? "10.0.0.0/8, prefix 0..32" : "fc00::/7, prefix 0..128")
            + ")");
  }

  private static ValidationException hostBits(String field, String cidr) {
    return new ValidationException(
        field,
        "'"
            + printable(cidr)
            + "' has host bits set (expected: the network address of the block, such as 10.0.0.0/8)");
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.length() > 64 ? b + "..." : b.toString();
  }

  public boolean contains(InetAddress a) {
    return a != null && contains(a.getAddress());
  }

  /** True if the address in network byte order (4 or 16 bytes) lies in one of the blocks. */
  public boolean contains(byte[] a) {
    if (a.length == 16 && isMapped4(a)) {
      return contains4(toInt(a, 12));
    }
    if (a.length == 4) {
      return contains4(toInt(a, 0));
    }
    long hi = toLong(a, 0);
    long lo = toLong(a, 8);
    for (int i = 0; i < net6.length; i += 2) {
      if ((hi & mask6[i]) == net6[i] && (lo & mask6[i + 1]) == net6[i + 1]) {
        return true;
      }
    }
    return false;
  }

  private boolean contains4(int addr) {
    for (int i = 0; i < net4.length; i++) {
      if ((addr & mask4[i]) == net4[i]) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /** True for {@code ::ffff:a.b.c.d}. */
  static boolean isMapped4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  static int toInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | (b[at + 3] & 0xff);
  }

  static long toLong(byte[] b, int at) {
    return (long) toInt(b, at) << 32 | (toInt(b, at + 4) & 0xffffffffL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressRanges r && r.blocks.equals(blocks);
  }

  @Override
  public int hashCode() {
    return blocks.hashCode();
  }

  /** The blocks, comma-separated, or {@code none}. */
  @Override
  public String toString() {
    return blocks.isEmpty() ? "none" : String.join(",", blocks);
  }
}
