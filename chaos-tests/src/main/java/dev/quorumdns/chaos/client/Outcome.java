package dev.quorumdns.chaos.client;

import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.SortedMap;

/**
 * What one call to a node returned, already classified the Jepsen way: {@code ok}, {@code fail}
 * (definitely not applied) or {@code info} (unknown). {@code result} is the outcome or error code
 * ({@code created}, {@code not_found}, {@code no_quorum}, {@code timeout}, {@code NXDOMAIN}, ...).
 * {@code appliedAt} is the log time a write answer carried, {@code vip6} a service's IPv6 VIP.
 * Immutable.
 */
public record Outcome(
    OpType type,
    String result,
    String spec,
    String vip,
    Long revision,
    SortedMap<String, RegistryEntry> registry,
    String error,
    Long appliedAt,
    String vip6) {

  public static Outcome ok(String result, String spec, String vip, Long revision) {
    return new Outcome(OpType.OK, result, spec, vip, revision, null, null, null, null);
  }

  public static Outcome fail(String code, String error) {
    return new Outcome(OpType.FAIL, code, null, null, null, null, error, null, null);
  }

  public static Outcome info(String code, String error) {
    return new Outcome(OpType.INFO, code, null, null, null, null, error, null, null);
  }

  public Outcome withRegistry(SortedMap<String, RegistryEntry> services) {
    return new Outcome(type, result, spec, vip, revision, services, error, appliedAt, vip6);
  }

  /** With the log time a write answer carried ({@code appliedAt}). */
  public Outcome withAppliedAt(Long logTimeMillis) {
    return new Outcome(type, result, spec, vip, revision, registry, error, logTimeMillis, vip6);
  }

  /** With the IPv6 VIP of a service answer, or the address of an AAAA answer. */
  public Outcome withVip6(String address) {
    return new Outcome(type, result, spec, vip, revision, registry, error, appliedAt, address);
  }
}
