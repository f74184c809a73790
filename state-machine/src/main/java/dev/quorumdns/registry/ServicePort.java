package dev.quorumdns.registry;

/**
 * One port a service listens on. A named port is published as the SRV record {@code
 * _<name>._<protocol>.<service fqdn>}. Immutable.
 *
 * @param name a DNS label, or null for an unnamed port (no SRV record)
 */
public record ServicePort(String name, Protocol protocol, int port) {
  public ServicePort {
    if (name != null) {
      name = DnsLabel.normalize("name", name);
    }
    if (protocol == null) {
      throw new ValidationException("protocol", "is required (expected: tcp or udp)");
    }
    Checks.port("port", port);
  }
}
