package dev.quorumdns.dns.lookup;

import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Service;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names and addresses DNS publishes for a headless service's endpoints: each endpoint with an
 * IP address has the name {@code <address-label>.<name>.<ns>.<domain>}, where the label is the
 * address with dashes for its separators, IPv6 written in full ({@code 10-1-0-5}, {@code
 * fd00-0000-0000-0000-0000-0000-0000-0001}): one spelling per address, and never a dash at either
 * end. Stateless; any thread.
 */
public final class EndpointNames {
  private EndpointNames() {}

  /** The label of {@code address}. */
  public static String label(InetAddress address) {
    byte[] b = address.getAddress();
    StringBuilder out = new StringBuilder(39);
    if (address instanceof Inet4Address) {
      for (int i = 0; i < 4; i++) {
        out.append(i == 0 ? "" : "-").append(b[i] & 0xff);
      }
    } else {
      for (int i = 0; i < 16; i += 2) {
        out.append(i == 0 ? "" : "-")
            .append(String.format(Locale.ROOT, "%02x%02x", b[i] & 0xff, b[i + 1] & 0xff));
      }
    }
    return out.toString();
  }

  /** The address a label spells, or null if it is not a label this class makes (in lower case). */
  public static InetAddress address(String label) {
    String[] parts = label.split("-", -1);
    if (parts.length == 4) {
      String dotted = String.join(".", parts);
      return IpAddresses.looksLiteral(dotted) && label.equals(tryLabel(dotted))
          ? parse(dotted)
          : null;
    }
    if (parts.length == 8) {
      for (String p : parts) {
        if (p.length() != 4) {
          return null;
        }
      }
      String colons = String.join(":", parts);
      return label.equals(tryLabel(colons)) ? parse(colons) : null;
    }
    return null;
  }

  private static String tryLabel(String literal) {
    InetAddress a = parse(literal);
    return a == null ? null : label(a);
  }

  private static InetAddress parse(String literal) {
    try {
      return IpAddresses.parse("address", literal);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The distinct addresses of {@code svc}'s endpoints that DNS lists (IP literals of passing and
   * warning endpoints; host names are left out), of one family, in endpoint order.
   */
  public static List<InetAddress> serving(Service svc, boolean ipv4) {
    Set<InetAddress> out = new LinkedHashSet<>();
    for (Endpoint e : svc.spec().endpoints()) {
      if (e.health().serving() && IpAddresses.looksLiteral(e.address())) {
        InetAddress a = IpAddresses.parse("address", e.address());
        if ((a instanceof Inet4Address) == ipv4) {
          out.add(a);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** True if {@code svc} has an endpoint (of any health) at {@code address}. */
  public static boolean has(Service svc, InetAddress address) {
    String text = IpAddresses.format(address);
    for (Endpoint e : svc.spec().endpoints()) {
      if (e.address().equals(text)) {
        return true;
      }
    }
    return false;
  }
}
