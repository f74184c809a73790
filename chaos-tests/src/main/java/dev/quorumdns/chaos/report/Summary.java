package dev.quorumdns.chaos.report;

import dev.quorumdns.chaos.checker.CheckResult;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.checker.Validity;
import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline figures of a run, written as summary.json (CI reads it). Immutable.
 *
 * @param valid true only when every checker said valid (unknown is not valid)
 * @param faults faults injected
 * @param operations client operations invoked
 * @param registryOperations register, update, delete and read operations invoked before heal
 * @param dnsQueries DNS queries sent before heal
 * @param ackedWrites register, update and delete operations acknowledged (ok) before heal
 * @param dnsAvailability share of DNS queries answered by up nodes, per scenario
 * @param failoverMillis per leader-loss fault: from its start to the first acknowledged write
 *     invoked after it
 */
public record Summary(
    String run,
    long seed,
    boolean valid,
    Validity validity,
    long faults,
    long operations,
    long registryOperations,
    long dnsQueries,
    long ackedWrites,
    long anomalies,
    Map<String, Double> dnsAvailability,
    Map<String, Double> dnsAvailabilityByCondition,
    List<Long> failoverMillis,
    double durationSeconds,
    String report) {

  public static Summary of(
      RunInfo info, History history, CompositeChecker.Composite result, String reportPath) {
    CheckResult dns = result.results().get("dns-availability");
    long heal = history.phaseNanos("heal").orElse(Long.MAX_VALUE);
    long registry = 0;
    long queries = 0;
    long acked = 0;
    for (Operation op : history.operations()) {
      if (op.startNanos() >= heal) {
        continue;
      }
      if (op.f() == OpKind.RESOLVE_DNS) {
        queries++;
      } else if (op.f().isWrite() || op.f() == OpKind.READ_API) {
        registry++;
        acked += op.f().isWrite() && op.isOk() ? 1 : 0;
      }
    }
    return new Summary(
        info.runId(),
        info.seed(),
        result.validity() == Validity.VALID,
        result.validity(),
        history.faults().size(),
        history.operations().size(),
        registry,
        queries,
        acked,
        result.anomalies(),
        shares(dns, "byScenario"),
        shares(dns, "byCondition"),
        failovers(history),
        history.endNanos() / 1e9,
        reportPath);
  }

  private static Map<String, Double> shares(CheckResult dns, String key) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (dns != null && dns.stats().get(key) instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), ((Number) v).doubleValue()));
    }
    return out;
  }

  /** For each leader-loss fault, millis until a write invoked after its start was acknowledged. */
  static List<Long> failovers(History history) {
    List<Long> out = new ArrayList<>();
    for (FaultInterval f : history.faults()) {
      if (f.kind().condition() != FaultKind.Condition.LEADER_LOSS) {
        continue;
      }
      long first = Long.MAX_VALUE;
      for (Operation op : history.operations()) {
        if (op.f().isWrite() && op.isOk() && op.startNanos() >= f.startNanos()) {
          first = Math.min(first, op.endNanos());
        }
      }
      if (first != Long.MAX_VALUE) {
        out.add((first - f.startNanos()) / 1_000_000);
      }
    }
    return out;
  }
}
