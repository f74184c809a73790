package dev.quorumdns.node.config;

import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;

/** A Raft member as given on the command line: {@code id=host:port}. Immutable. */
public record PeerAddress(String id, String host, int port) {
  public PeerAddress {
    id = DnsLabel.normalize("peers", id);
    if (host == null || host.isBlank()) {
      throw new ValidationException(
          "peers", "member " + id + " has no host (expected: id=host:port)");
    }
    if (port < 1 || port > 65535) {
      throw new ValidationException(
          "peers", "member " + id + " port " + port + " (expected: 1..65535)");
    }
  }

  /** Parses {@code id=host:port}; IPv6 hosts go in brackets. */
  public static PeerAddress parse(String field, String spec) {
    String s = spec.trim();
    int eq = s.indexOf('=');
    if (eq <= 0) {
      throw new ValidationException(field, "'" + s + "' (expected: id=host:port)");
    }
    HostPort hp = HostPort.parse(field, s.substring(eq + 1));
    return new PeerAddress(s.substring(0, eq), hp.host(), hp.port());
  }

  public String endpoint() {
    return new HostPort(host, port).toString();
  }

  @Override
  public String toString() {
    return id + "=" + endpoint();
  }
}
