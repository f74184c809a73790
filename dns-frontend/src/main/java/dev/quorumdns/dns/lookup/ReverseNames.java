package dev.quorumdns.dns.lookup;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TextParseException;

/**
 * Reverse-mapping names ({@code in-addr.arpa}, {@code ip6.arpa}) and the addresses they stand for.
 * Stateless.
 */
public final class ReverseNames {
  static final Name IN_ADDR = Name.fromConstantString("in-addr.arpa.");
  static final Name IP6 = Name.fromConstantString("ip6.arpa.");

  private ReverseNames() {}

  /** The full reverse name of {@code a}, e.g. {@code 4.3.2.1.in-addr.arpa.}. */
  public static Name of(InetAddress a) {
    return ReverseMap.fromAddress(a);
  }

  /** True if {@code name} is {@code in-addr.arpa.} or {@code ip6.arpa.} or below them. */
  static boolean inReverseTree(Name name) {
    return name.subdomain(IN_ADDR) || name.subdomain(IP6);
  }

  /** The reverse name of the first {@code labels} octets (IPv4) or nibbles (IPv6) of {@code a}. */
  static Name prefix(InetAddress a, int labels) {
    byte[] b = a.getAddress();
    Name suffix = b.length == 4 ? IN_ADDR : IP6;
    if (labels == 0) {
      return suffix;
    }
    StringBuilder s = new StringBuilder();
    for (int i = labels - 1; i >= 0; i--) {
      int v = b.length == 4 ? b[i] & 0xff : (b[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
      s.append(b.length == 4 ? Integer.toString(v) : Integer.toHexString(v))
          .append(i > 0 ? "." : "");
    }
    try {
      return Name.fromString(s.toString(), suffix);
    } catch (TextParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The first and last address of the block a reverse zone apex such as {@code 240.in-addr.arpa.}
   * (240.0.0.0 .. 240.255.255.255) or a nibble apex under {@code ip6.arpa.} stands for; null if the
   * apex is not well formed.
   */
  static InetAddress[] block(Name apex) {
    boolean v4 = apex.subdomain(IN_ADDR);
    int labels = apex.labels() - (v4 ? IN_ADDR : IP6).labels();
    if (labels > (v4 ? 4 : 32) || !wellFormed(apex, v4 ? IN_ADDR : IP6)) {
      return null;
    }
    byte[] first = new byte[v4 ? 4 : 16];
    for (int k = 0; k < labels; k++) {
      int v = label(apex, labels - 1 - k, v4); // k-th octet or nibble from the left
      if (v4) {
        first[k] = (byte) v;
      } else {
        first[k / 2] |= (byte) (k % 2 == 0 ? v << 4 : v);
      }
    }
    byte[] last = first.clone();
    int bits = labels * (v4 ? 8 : 4);
    for (int bit = bits; bit < last.length * 8; bit++) {
      last[bit / 8] |= (byte) (0x80 >>> (bit % 8));
    }
    try {
      return v4
          ? new InetAddress[] {InetAddress.getByAddress(first), InetAddress.getByAddress(last)}
          : new InetAddress[] {
            Inet6Address.getByAddress(null, first, -1), Inet6Address.getByAddress(null, last, -1)
          };
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How many labels a full reverse name has below {@code in-addr.arpa} (4) or {@code ip6.arpa}
   * (32).
   */
  static int fullDepth(Name name) {
    return name.subdomain(IN_ADDR) ? 4 : 32;
  }

  /**
   * True if every label of {@code name} below {@code apex} is a well-formed octet (decimal 0..255,
   * no leading zero) or nibble (one lower-case hex digit), and there are not more of them than a
   * full address has.
   */
  static boolean wellFormed(Name name, Name apex) {
    boolean v4 = name.subdomain(IN_ADDR);
    int below = name.labels() - apex.labels();
    int suffix = (v4 ? IN_ADDR : IP6).labels();
    if (name.labels() - suffix > (v4 ? 4 : 32)) {
      return false;
    }
    for (int i = 0; i < below; i++) {
      if (label(name, i, v4) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The address a full-length, well-formed reverse name stands for, or null. */
  static InetAddress address(Name name) {
    boolean v4 = name.subdomain(IN_ADDR);
    int want = v4 ? 4 : 32;
    if (name.labels() != want + (v4 ? IN_ADDR : IP6).labels()) {
      return null;
    }
    byte[] out = new byte[v4 ? 4 : 16];
    for (int i = 0; i < want; i++) {
      int v = label(name, i, v4);
      if (v < 0) {
        return null;
      }
      if (v4) {
        out[3 - i] = (byte) v;
      } else {
        int pos = 31 - i;
        out[pos / 2] |= (byte) (pos % 2 == 0 ? v << 4 : v);
      }
    }
    try {
      return v4 ? InetAddress.getByAddress(out) : Inet6Address.getByAddress(null, out, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The value of label {@code i} as an octet or nibble, or -1 if it is not one. */
  private static int label(Name name, int i, boolean v4) {
    String s = name.getLabelString(i);
    int n = s.length();
    if (v4) {
      if (n == 0 || n > 3 || (n > 1 && s.charAt(0) == '0')) {
        return -1;
      }
      int v = 0;
      for (int k = 0; k < n; k++) {
        char c = s.charAt(k);
        if (c < '0' || c > '9') {
          return -1;
        }
        v = v * 10 + (c - '0');
      }
      return v <= 255 ? v : -1;
    }
    if (n != 1) {
      return -1;
    }
    char c = s.charAt(0);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }
}
