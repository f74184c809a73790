package dev.quorumdns.registry;

import java.util.Locale;

/**
 * A lease as the replicated state holds it: endpoints registered with it leave their services when
 * it is revoked or expires. Its deadline is not here: only the leader tracks deadlines, in memory
 * (docs/architecture.md, Leases). Immutable.
 *
 * @param id 1..2^63-1, chosen at random by the node that took the grant; printed as 16 hex digits
 * @param ttlMillis how long the lease lives without a keepalive, {@value #MIN_TTL_MILLIS}..{@value
 *     #MAX_TTL_MILLIS} ms
 * @param grantedAtMillis log time of the entry that granted it
 */
public record Lease(long id, long ttlMillis, long grantedAtMillis) {
  public static final long MIN_TTL_MILLIS = 5_000;
  public static final long MAX_TTL_MILLIS = 3_600_000;

  public Lease {
    checkId("id", id);
    checkTtl("ttl", ttlMillis);
  }

  public static long checkId(String field, long id) {
    if (id <= 0) {
      throw new ValidationException(field, id + " (expected: a lease id, 1..7fffffffffffffff)");
    }
    return id;
  }

  public static long checkTtl(String field, long ttlMillis) {
    if (ttlMillis < MIN_TTL_MILLIS || ttlMillis > MAX_TTL_MILLIS) {
      throw new ValidationException(field, formatTtl(ttlMillis) + " (expected: 5s..1h)");
    }
    return ttlMillis;
  }

  /** The id as the API and CLI print it: 16 lower-case hex digits. */
  public static String formatId(long id) {
    return String.format(Locale.ROOT, "%016x", id);
  }

  /** Parses 1..16 hex digits into a lease id. */
  public static long parseId(String field, String text) {
    if (text == null || text.isEmpty() || text.length() > 16) {
      throw new ValidationException(
          field,
          "'"
              + (text == null ? "" : DnsLabel.printable(text))
              + "' (expected: a lease id, 1 to 16 hex digits)");
    }
    long id = 0;
    for (int i = 0; i < text.length(); i++) {
      int d = Character.digit(text.charAt(i), 16);
      if (d < 0) {
        throw new ValidationException(
            field, "'" + DnsLabel.printable(text) + "' (expected: a lease id, 1 to 16 hex digits)");
      }
      id = (id << 4) | d;
    }
    return checkId(field, id);
  }

  /**
   * Parses a TTL: a number with a unit ({@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}) or a
   * whole number of seconds; it must lie within 5s..1h.
   */
  public static long parseTtl(String field, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    int digits = 0;
    while (digits < t.length() && Character.isDigit(t.charAt(digits))) {
      digits++;
    }
    long unit =
        switch (t.substring(digits)) {
          case "ms" -> 1;
          case "s", "" -> 1_000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> -1;
        };
    if (digits == 0 || digits > 10 || unit < 0) {
      throw new ValidationException(
          field,
          "'"
              + DnsLabel.printable(text == null ? "" : text)
              + "' (expected: a duration such as 15s, 2m or 1h, within 5s..1h)");
    }
    return checkTtl(field, Long.parseLong(t.substring(0, digits)) * unit);
  }

  /** A TTL as the API prints it: whole seconds ({@code 15s}), else milliseconds. */
  public static String formatTtl(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
