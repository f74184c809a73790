package dev.quorumdns.registry;

import java.util.Locale;

/**
 * An endpoint's health, as a health checker or the endpoint itself reports it (Consul's check
 * states). DNS answers of a headless service list the endpoints that {@link #serving() serve}:
 * passing and warning ones.
 */
public enum Health {
  PASSING,
  WARNING,
  CRITICAL;

  /** The lower-case name the API and CLI use. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True if traffic may go to an endpoint in this state (passing or warning). */
  public boolean serving() {
    return this != CRITICAL;
  }

  public static Health parse(String field, String value) {
    if (value == null) {
      throw new ValidationException(field, "is required (expected: passing, warning or critical)");
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "passing" -> PASSING;
      case "warning" -> WARNING;
      case "critical" -> CRITICAL;
      default ->
          throw new ValidationException(
              field,
              "'" + DnsLabel.printable(value) + "' (expected: passing, warning or critical)");
    };
  }
}
