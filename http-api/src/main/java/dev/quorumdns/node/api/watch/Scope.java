package dev.quorumdns.node.api.watch;

import dev.quorumdns.registry.ServiceKey;

/**
 * What a read or a watch covers: every service, the services of one namespace, or one service.
 * Immutable.
 *
 * @param namespace the namespace, or null for every service
 * @param key the one service, or null
 */
public record Scope(String namespace, ServiceKey key) {
  public static final Scope ALL = new Scope(null, null);

  public Scope {
    if (key != null && !key.namespace().equals(namespace)) {
      throw new IllegalArgumentException("scope of " + key + " in namespace " + namespace);
    }
  }

  /** The services of {@code namespace}; every service when it is null. */
  public static Scope namespace(String namespace) {
    return new Scope(namespace, null);
  }

  public static Scope service(ServiceKey key) {
    return new Scope(key.namespace(), key);
  }

  /** Whether a change of {@code service} changes what this scope covers. */
  public boolean covers(ServiceKey service) {
    if (key != null) {
      return key.equals(service);
    }
    return namespace == null || namespace.equals(service.namespace());
  }
}
