package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;

/** {@code host:port}, with IPv6 literals in brackets. Immutable. */
public record HostPort(String host, int port) {
  public static HostPort parse(String field, String s) {
    String t = s.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new ValidationException(field, "'" + t + "' (expected: host:port)");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new ValidationException(field, "'" + t + "' (expected: [ipv6]:port)");
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ValidationException(field, "'" + t + "' has a bad port (expected: 1..65535)");
    }
    if (port < 1 || port > 65535) {
      throw new ValidationException(field, "'" + t + "' port " + port + " (expected: 1..65535)");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
