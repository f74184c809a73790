package dev.quorumdns.registry;

import java.util.Objects;

/**
 * One real instance behind a service: stored and returned for data planes; DNS publishes it only
 * for headless services. Immutable.
 *
 * @param address an IP literal (printed canonically) or a host name (lower case)
 * @param port 1..65535, or null to use the service ports
 * @param weight 0..65535, or null
 * @param health passing (when built with null), warning or critical
 * @param lease the id of the {@link Lease} that keeps this endpoint registered, or null for none
 */
public record Endpoint(String address, Integer port, Integer weight, Health health, Long lease) {
  public static final int MAX_HOSTNAME_LENGTH = 253;

  public Endpoint {
    address = normalizeAddress(address);
    if (port != null) {
      Checks.port("port", port);
    }
    if (weight != null) {
      Checks.range("weight", weight, 0, 65535);
    }
    health = health == null ? Health.PASSING : health;
    if (lease != null) {
      Lease.checkId("lease", lease);
    }
  }

  /** A passing endpoint without a lease. */
  public Endpoint(String address, Integer port, Integer weight) {
    this(address, port, weight, Health.PASSING, null);
  }

  /** The same endpoint in another health state. */
  public Endpoint withHealth(Health h) {
    return new Endpoint(address, port, weight, h, lease);
  }

  /**
   * True if this endpoint is {@code address} (normalized) with {@code port} (null: registered
   * without one).
   */
  public boolean is(String normalizedAddress, Integer port) {
    return address.equals(normalizedAddress) && Objects.equals(this.port, port);
  }

  /** True if it needs the second spec format (a health other than passing, or a lease). */
  public boolean hasStatus() {
    return health != Health.PASSING || lease != null;
  }

  /**
   * {@code address} as endpoints store it: an IP literal printed canonically, a host name in lower
   * case without a trailing dot.
   *
   * @throws ValidationException naming {@code address} if it is neither
   */
  public static String normalizeAddress(String address) {
    if (address == null || address.isEmpty()) {
      throw new ValidationException(
          "address", "is required (expected: an IP address or host name)");
    }
    if (IpAddresses.looksLiteral(address)) {
      return IpAddresses.format(IpAddresses.parse("address", address));
    }
    String host = address.endsWith(".") ? address.substring(0, address.length() - 1) : address;
    host = DnsLabel.asciiLowerCase(host);
    if (host.length() > MAX_HOSTNAME_LENGTH) {
      throw new ValidationException(
          "address",
          "host name is "
              + host.length()
              + " characters long (expected: at most "
              + MAX_HOSTNAME_LENGTH
              + ")");
    }
    for (String label : host.split("\\.", -1)) {
      if (!DnsLabel.isValidLowerCase(label)) {
        throw new ValidationException(
            "address",
            "'"
                + DnsLabel.printable(address)
                + "' (expected: an IP address or a host name made of DNS labels)");
      }
    }
    return host;
  }
}
