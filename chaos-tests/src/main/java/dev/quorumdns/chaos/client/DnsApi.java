package dev.quorumdns.chaos.client;

/** DNS resolution at a given node. Thread-safe; failures are outcomes, never exceptions. */
public interface DnsApi {
  /**
   * A query for {@code <name>.<ns>.<domain>}: ok NOERROR (VIP, or none for NODATA) or NXDOMAIN;
   * else fail.
   */
  Outcome resolve(String node, String name);
}
