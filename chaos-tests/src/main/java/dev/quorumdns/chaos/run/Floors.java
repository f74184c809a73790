package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.report.Summary;
import dev.quorumdns.chaos.workload.WorkloadConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The least a run must have done to judge anything, in one place. Per-scenario minimums (successful
 * operations of each kind, checked by {@code ActivityChecker}) apply to every run, whatever
 * scenarios it chose; the whole-run totals apply only to the full short form (with {@code
 * -Dchaos.scenarios} a run does less by design). Measured (pause scenario alone, 60 s, seed 1,
 * 2-core machine shared with other builds): ok register 143, update 291, delete 72, read 164,
 * resolve 7,473; 804 registry operations and 7,537 DNS queries invoked, about 8.4 acknowledged
 * writes a second. The per-scenario minimums sit well below that, for scenarios that keep quorum
 * down part of the time; the registry total follows from the acknowledged writes (reads are a
 * quarter of the writers' operations), the DNS total is half the measured rate over the short form.
 */
public final class Floors {
  private Floors() {}

  /** Least successful operations of each kind in every scenario. */
  public static final Map<OpKind, Long> PER_SCENARIO =
      Map.of(
          OpKind.REGISTER, 20L,
          OpKind.UPDATE, 20L,
          OpKind.DELETE, 10L,
          OpKind.READ_API, 20L,
          OpKind.RESOLVE_DNS, 1_000L);

  /**
   * Whole extended form (every scenario, {@code -Dchaos.extended=true}, as CI runs it): faults
   * injected.
   */
  public static final long MIN_FAULTS = 150;

  /**
   * Whole base form (the six scenarios without {@code -Dchaos.extended=true}): faults injected. Run
   * short-5120 (seed 5120, a loaded machine) had injected 90 when it stopped inside its sixth and
   * last base scenario.
   */
  public static final long MIN_FAULTS_BASE = 80;

  /** Whole short form: acknowledged (ok) register, update and delete operations. */
  public static final long MIN_ACKED_WRITES = 5_000;

  /** Whole short form: registry operations invoked (register, update, delete, read). */
  public static final long MIN_REGISTRY_OPERATIONS = 6_500;

  /** Whole short form: DNS queries sent. */
  public static final long MIN_DNS_QUERIES = 30_000;

  /**
   * The per-scenario minimums for kinds the workload does at all (a stand-in run has no writers).
   */
  public static Map<OpKind, Long> perScenario(WorkloadConfig workload) {
    Map<OpKind, Long> out = new EnumMap<>(OpKind.class);
    PER_SCENARIO.forEach(
        (kind, min) -> {
          boolean done =
              kind == OpKind.RESOLVE_DNS ? workload.resolvers() > 0 : workload.writers() > 0;
          if (done) {
            out.put(kind, min);
          }
        });
    return out;
  }

  /** What a whole short-form run fell short of (empty: every total reached). */
  public static List<String> totalShortfalls(Summary summary, boolean extended) {
    List<String> out = new ArrayList<>();
    below(out, "faults", summary.faults(), extended ? MIN_FAULTS : MIN_FAULTS_BASE);
    below(out, "acknowledged registry writes", summary.ackedWrites(), MIN_ACKED_WRITES);
    below(out, "registry operations", summary.registryOperations(), MIN_REGISTRY_OPERATIONS);
    below(out, "DNS queries", summary.dnsQueries(), MIN_DNS_QUERIES);
    return out;
  }

  private static void below(List<String> out, String what, long seen, long min) {
    if (seen < min) {
      out.add(what + " " + seen + " < " + min);
    }
  }
}
