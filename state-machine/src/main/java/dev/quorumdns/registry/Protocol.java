package dev.quorumdns.registry;

import java.util.Locale;

/** Transport protocol of a service port; its lower-case name is the SRV {@code _proto} label. */
public enum Protocol {
  TCP,
  UDP;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Protocol parse(String field, String value) {
    if (value == null) {
      throw new ValidationException(field, "is required");
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "tcp" -> TCP;
      case "udp" -> UDP;
      default ->
          throw new ValidationException(
              field, "'" + DnsLabel.printable(value) + "' (expected: tcp or udp)");
    };
  }
}
