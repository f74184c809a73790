package dev.quorumdns.registry;

/**
 * A service's identity: its namespace and name, each one lower-case DNS label. Immutable. The
 * namespace {@value #RESERVED_NAMESPACE} is reserved for node records.
 */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {
  public static final String RESERVED_NAMESPACE = "node";

  public ServiceKey {
    namespace = DnsLabel.normalize("namespace", namespace);
    name = DnsLabel.normalize("name", name);
    if (RESERVED_NAMESPACE.equals(namespace)) {
      throw new ValidationException("namespace", "'node' is reserved for node records");
    }
  }

  /** Parses {@code namespace/name}. */
  public static ServiceKey parse(String path) {
    int slash = path.indexOf('/');
    if (slash < 0) {
      throw new ValidationException(
          "service", "'" + DnsLabel.printable(path) + "' (expected: namespace/name)");
    }
    return new ServiceKey(path.substring(0, slash), path.substring(slash + 1));
  }

  /** {@code <name>.<namespace>.<domain>} without the trailing dot. */
  public String fqdn(String domain) {
    return name + "." + namespace + "." + domain;
  }

  @Override
  public int compareTo(ServiceKey o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
