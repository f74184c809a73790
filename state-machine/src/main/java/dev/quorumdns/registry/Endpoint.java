package dev.quorumdns.registry;

/**
 * One real instance behind a service's VIP. Stored and returned for data planes; DNS does not publish it.
 * Immutable.
 *
 * @param address an IP literal (printed canonically) or a host name (lower case)
 * @param port    1..65535, or null to use the service ports
 * @param weight  0..65535, or null
 */
public record Endpoint(String address, Integer port, Integer weight) {
  public static final int MAX_HOSTNAME_LENGTH = 253;

  public Endpoint {
    address = normalizeAddress(address);
    if (port != null) {
      Checks.port("port", port);
    }
    if (weight != null) {
      Checks.range("weight", weight, 0, 65535);
    }
  }

  private static String normalizeAddress(String address) {
    if (address == null || address.isEmpty()) {
      throw new ValidationException("address", "is required (expected: an IP address or host name)");
    }
    if (IpAddresses.looksLiteral(address)) {
      return IpAddresses.format(IpAddresses.parse("address", address));
    }
    String host = address.endsWith(".") ? address.substring(0, address.length() - 1) : address;
    host = DnsLabel.asciiLowerCase(host);
    if (host.length() > MAX_HOSTNAME_LENGTH) {
      throw new ValidationException("address", "host name is " + host.length()
          + " characters long (expected: at most " + MAX_HOSTNAME_LENGTH + ")");
    }
    for (String label : host.split("\\.", -1)) {
      if (!DnsLabel.isValidLowerCase(label)) {
        throw new ValidationException("address", "'" + DnsLabel.printable(address)
            + "' (expected: an IP address or a host name made of DNS labels)");
      }
    }
    return host;
  }
}
