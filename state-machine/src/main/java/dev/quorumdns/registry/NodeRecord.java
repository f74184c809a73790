package dev.quorumdns.registry;

import java.net.InetAddress;

/**
 * Where a cluster member can be reached: published by each node into the replicated state, so every
 * node can answer {@code <id>.node.<domain>} and list the cluster's API and DNS addresses.
 * Immutable.
 */
public record NodeRecord(String id, InetAddress address, int raftPort, int apiPort, int dnsPort) {
  public NodeRecord {
    id = DnsLabel.normalize("id", id);
    if (address == null) {
      throw new ValidationException("address", "is required");
    }
    Checks.port("raftPort", raftPort);
    Checks.port("apiPort", apiPort);
    Checks.port("dnsPort", dnsPort);
  }

  public String raftEndpoint() {
    return hostPort(raftPort);
  }

  public String apiEndpoint() {
    return hostPort(apiPort);
  }

  public String dnsEndpoint() {
    return hostPort(dnsPort);
  }

  private String hostPort(int port) {
    String host = IpAddresses.format(address);
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
