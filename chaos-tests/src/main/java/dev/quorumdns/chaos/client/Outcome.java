package dev.quorumdns.chaos.client;

import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.SortedMap;

/**
 * What one call to a node returned, already classified the Jepsen way: {@code ok}, {@code fail}
 * (definitely not applied) or {@code info} (unknown). {@code result} is the outcome or error code
 * ({@code created}, {@code not_found}, {@code no_quorum}, {@code timeout}, {@code NXDOMAIN}, ...).
 * Immutable.
 */
public record Outcome(
    OpType type,
    String result,
    String spec,
    String vip,
    Long revision,
    SortedMap<String, RegistryEntry> registry,
    String error) {

  public static Outcome ok(String result, String spec, String vip, Long revision) {
    return new Outcome(OpType.OK, result, spec, vip, revision, null, null);
  }

  public static Outcome fail(String code, String error) {
    return new Outcome(OpType.FAIL, code, null, null, null, null, error);
  }

  public static Outcome info(String code, String error) {
    return new Outcome(OpType.INFO, code, null, null, null, null, error);
  }

  public Outcome withRegistry(SortedMap<String, RegistryEntry> services) {
    return new Outcome(type, result, spec, vip, revision, services, error);
  }
}
