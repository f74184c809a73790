package dev.quorumdns.cli;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The client's own check of names before anything is sent: DNS labels ({@code
 * [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?}, compared in lower case) and {@code NS/NAME}. The node checks
 * again; this only makes bad usage exit 2 locally. Stateless.
 */
final class Names {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private Names() {}

  /**
   * {@code value} in lower case if it is one DNS label; a {@link UsageException} naming {@code
   * field} if not.
   */
  static String label(String field, String value) {
    String lower = value == null ? "" : value.toLowerCase(Locale.ROOT);
    if (!LABEL.matcher(lower).matches()) {
      throw new UsageException(
          field, "'" + value + "' (expected: a DNS label, [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)");
    }
    return lower;
  }

  /** The API path of service {@code NS/NAME}. */
  static String servicePath(String nsName) {
    int slash = nsName.indexOf('/');
    if (slash < 0) {
      throw new UsageException("service", "'" + nsName + "' (expected: namespace/name)");
    }
    String ns = label("namespace", nsName.substring(0, slash));
    String name = label("name", nsName.substring(slash + 1));
    if (ns.equals("node")) {
      throw new UsageException("namespace", "'node' is reserved for node records");
    }
    return "/v1/services/" + ns + "/" + name;
  }

  /** True if {@code s} looks like an IP literal (IPv6 has a colon; IPv4 only digits and dots). */
  static boolean looksLikeIp(String s) {
    return s.indexOf(':') >= 0
        || (!s.isEmpty() && s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.'));
  }
}
