package dev.quorumdns.registry;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parsing and printing of IP address literals, never touching the resolver. Stateless. */
public final class IpAddresses {
  private IpAddresses() {}

  /** True if {@code s} looks like an IP literal rather than a host name. */
  public static boolean looksLiteral(String s) {
    if (s.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal.
   *
   * @throws ValidationException naming {@code field} if it is neither
   */
  public static InetAddress parse(String field, String s) {
    if (s == null || s.isEmpty()) {
      throw new ValidationException(field, "is required");
    }
    if (s.indexOf(':') >= 0) {
      return parse6(field, s);
    }
    return parse4(field, s);
  }

  public static Inet4Address parse4(String field, String s) {
    byte[] b = new byte[4];
    int part = 0;
    int value = -1;
    int digits = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        digits++;
        if (value > 255 || digits > 3) {
          throw bad4(field, s);
        }
        if (digits == 2 && value < 10) {
          // "010" is 8 to inet_aton and to many resolvers' parsers, 10 to a plain decimal reading:
          // refuse it.
          throw new ValidationException(
              field,
              "'"
                  + DnsLabel.printable(s)
                  + "' has a leading zero (expected: an IPv4 address a.b.c.d in decimal, without leading zeros)");
        }
      } else if (c == '.' && value >= 0 && part < 4) {
        b[part++] = (byte) value;
        value = -1;
        digits = 0;
      } else {
        throw bad4(field, s);
      }
    }
    if (part != 4) {
      throw bad4(field, s);
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  public static Inet6Address parse6(String field, String s) {
    String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    if (bare.indexOf(':') < 0 || bare.indexOf('%') >= 0 || bare.length() > 45) {
      throw bad6(field, s);
    }
    for (int i = 0; i < bare.length(); i++) {
      char c = bare.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == ':'
              || c == '.';
      if (!ok) {
        throw bad6(field, s);
      }
    }
    try {
      // Bracketed, the JDK parses it as an IPv6 literal or fails; it never asks the resolver
      // (unbracketed, a
      // string starting with '.' such as ".:" would be looked up as a host name).
      InetAddress a = InetAddress.getByName("[" + bare + "]");
      if (a instanceof Inet6Address v6) {
        return v6;
      }
      // An IPv4-mapped literal (::ffff:a.b.c.d) comes back as Inet4Address.
      throw new ValidationException(
          field, "'" + DnsLabel.printable(s) + "' is IPv4-mapped (expected: an IPv6 address)");
    } catch (UnknownHostException e) {
      throw bad6(field, s);
    }
  }

  private static ValidationException bad4(String field, String s) {
    return new ValidationException(
        field, "'" + DnsLabel.printable(s) + "' (expected: an IPv4 address a.b.c.d)");
  }

  private static ValidationException bad6(String field, String s) {
    return new ValidationException(
        field, "'" + DnsLabel.printable(s) + "' (expected: an IPv6 address)");
  }

  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
  public static String format(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (w[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder s = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLen - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(w[i]));
    }
    return s.toString();
  }
}
