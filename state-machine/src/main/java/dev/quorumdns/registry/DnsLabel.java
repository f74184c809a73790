package dev.quorumdns.registry;

/**
 * Validation and normalisation of single DNS labels ({@code [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?}).
 * Stateless.
 */
public final class DnsLabel {
  public static final int MAX_LENGTH = 63;

  private DnsLabel() {}

  /**
   * Returns {@code value} in lower case if it is one valid label.
   *
   * @throws ValidationException naming {@code field} otherwise
   */
  public static String normalize(String field, String value) {
    if (value == null) {
      throw new ValidationException(field, "is required");
    }
    // ASCII only: Unicode lower-casing would turn the Kelvin sign (U+212A) into a valid 'k'.
    String lower = asciiLowerCase(value);
    String problem = problem(lower);
    if (problem != null) {
      throw new ValidationException(
          field,
          "'"
              + printable(value)
              + "' "
              + problem
              + " (expected: a DNS label, [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)");
    }
    return lower;
  }

  /** Lower-cases ASCII letters only, so that no other character can turn into a valid one. */
  static String asciiLowerCase(String value) {
    StringBuilder b = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (b == null) {
          b = new StringBuilder(value);
        }
        b.setCharAt(i, (char) (c + ('a' - 'A')));
      }
    }
    return b == null ? value : b.toString();
  }

  /** True if {@code lower} is already a valid, lower-case label. Allocation-free; for hot paths. */
  public static boolean isValidLowerCase(CharSequence lower) {
    return problem(lower) == null;
  }

  private static String problem(CharSequence s) {
    int n = s.length();
    if (n == 0) {
      return "is empty";
    }
    if (n > MAX_LENGTH) {
      return "is " + n + " characters long";
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum && c != '-') {
        return "contains '"
            + (c < 0x20 || c > 0x7e ? "\\u" + Integer.toHexString(c) : String.valueOf(c))
            + "'";
      }
      if (c == '-' && (i == 0 || i == n - 1)) {
        return "starts or ends with '-'";
      }
    }
    return null;
  }

  public static String printable(String value) {
    String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    StringBuilder b = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append("\\u").append(String.format("%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
