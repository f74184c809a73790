package dev.quorumdns.chaos.client;

/** DNS resolution at a given node. Thread-safe; failures are outcomes, never exceptions. */
public interface DnsApi {
  /**
   * A query for {@code <name>.<ns>.<domain>}: ok NOERROR (VIP, or none for NODATA) or NXDOMAIN;
   * else fail.
   */
  Outcome resolve(String node, String name);

  /** An AAAA query: ok NOERROR (the address in {@code vip6}, or none) or NXDOMAIN; else fail. */
  default Outcome resolve6(String node, String name) {
    return Outcome.fail("unsupported", "AAAA queries are not supported by " + getClass());
  }

  /**
   * A PTR query for {@code address}: ok NOERROR with the service name ({@code ns/name}) in {@code
   * spec}, or none) or NXDOMAIN; else fail.
   */
  default Outcome reverse(String node, String address) {
    return Outcome.fail("unsupported", "PTR queries are not supported by " + getClass());
  }
}
