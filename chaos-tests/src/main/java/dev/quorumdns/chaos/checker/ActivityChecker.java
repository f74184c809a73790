package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * No vacuous scenario: in each scenario (from its {@code scenario} marker to the next one, or to
 * {@code heal}) at least a minimum of operations of each kind succeeded (register, update, delete,
 * read, resolve), so every checker had something to judge there. A scenario that was never reached
 * counts zero of everything. Reports per scenario and kind the successful and attempted counts.
 * Stateless.
 */
public final class ActivityChecker implements Checker {
  /** The kinds judged, with the names used in results.json. */
  public static final Map<OpKind, String> KINDS =
      Map.of(
          OpKind.REGISTER, "register",
          OpKind.UPDATE, "update",
          OpKind.DELETE, "delete",
          OpKind.READ_API, "read",
          OpKind.RESOLVE_DNS, "resolve");

  private final Map<OpKind, Long> minOkPerScenario;
  private final List<String> scenarios;

  /**
   * @param minOkPerScenario least successful operations of each kind in every scenario (a kind
   *     missing or 0: not required)
   * @param scenarios the scenarios the run was to go through, in order
   */
  public ActivityChecker(Map<OpKind, Long> minOkPerScenario, List<String> scenarios) {
    this.minOkPerScenario = new EnumMap<>(OpKind.class);
    this.minOkPerScenario.putAll(minOkPerScenario);
    this.scenarios = List.copyOf(scenarios);
  }

  @Override
  public String name() {
    return "activity";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    TreeMap<Long, String> starts = history.scenarios();
    long end = history.phaseNanos("heal").orElse(Long.MAX_VALUE);
    Map<String, Map<OpKind, long[]>> counts = new LinkedHashMap<>();
    scenarios.forEach(s -> counts.put(s, new EnumMap<>(OpKind.class)));
    long ok = 0;
    for (Operation op : history.operations()) {
      if (!KINDS.containsKey(op.f()) || op.startNanos() >= end) {
        continue;
      }
      Map.Entry<Long, String> scenario = starts.floorEntry(op.startNanos());
      if (scenario == null) {
        continue;
      }
      long[] c =
          counts
              .computeIfAbsent(scenario.getValue(), k -> new EnumMap<>(OpKind.class))
              .computeIfAbsent(op.f(), k -> new long[2]);
      c[1]++;
      if (op.isOk()) {
        c[0]++;
        ok++;
      }
    }
    Map<String, Map<String, String>> figures = new LinkedHashMap<>();
    counts.forEach(
        (scenario, byKind) -> {
          Map<String, String> line = new LinkedHashMap<>();
          for (OpKind kind :
              List.of(
                  OpKind.REGISTER,
                  OpKind.UPDATE,
                  OpKind.DELETE,
                  OpKind.READ_API,
                  OpKind.RESOLVE_DNS)) {
            long[] c = byKind.getOrDefault(kind, new long[2]);
            line.put(KINDS.get(kind), c[0] + " ok of " + c[1]);
            long min = minOkPerScenario.getOrDefault(kind, 0L);
            if (c[0] < min) {
              out.anomaly(
                  new Anomaly(
                      "too-few-ok",
                      null,
                      null,
                      "scenario "
                          + scenario
                          + ": "
                          + c[0]
                          + " successful "
                          + KINDS.get(kind)
                          + " operations of "
                          + c[1]
                          + " (least accepted: "
                          + min
                          + ")",
                      List.of()));
            }
          }
          figures.put(scenario, line);
        });
    return out.judged(ok).stat("byScenario", figures).stat("minOk", minima()).build();
  }

  private Map<String, Long> minima() {
    Map<String, Long> out = new LinkedHashMap<>();
    minOkPerScenario.forEach((k, v) -> out.put(KINDS.getOrDefault(k, k.wire()), v));
    return out;
  }
}
