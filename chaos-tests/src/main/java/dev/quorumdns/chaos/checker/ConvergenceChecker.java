package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * After the {@code heal} marker every node reaches one registry revision, within a bound, and nodes
 * at the same revision hold the same registry. Evidence: {@code cluster-status} and {@code
 * read-all} results after heal. Stateless.
 */
public final class ConvergenceChecker implements Checker {
  private final Duration bound;

  public ConvergenceChecker(Duration bound) {
    this.bound = bound;
  }

  @Override
  public String name() {
    return "convergence";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    Long heal = history.phaseNanos("heal").orElse(null);
    if (heal == null) {
      return out.unknown("no heal marker in the history").build();
    }
    Map<String, List<Operation>> byNode = new TreeMap<>();
    Map<String, Operation> asked = new TreeMap<>();
    for (Operation op : history.operations()) {
      if ((op.f() == OpKind.CLUSTER_STATUS || op.f() == OpKind.READ_ALL)
          && op.startNanos() >= heal) {
        asked.put(op.node(), op);
        if (op.isOk() && op.completion() != null && op.completion().revision() != null) {
          byNode.computeIfAbsent(op.node(), k -> new ArrayList<>()).add(op);
        }
      }
    }
    // A node asked after heal that never answered has not converged, whatever the others agree on.
    asked.forEach(
        (node, lastAsked) -> {
          if (!byNode.containsKey(node)) {
            out.anomaly(
                new Anomaly(
                    "never-answered",
                    null,
                    node,
                    node
                        + " never answered a status or registry read after heal (last: "
                        + lastAsked.brief()
                        + ")",
                    List.of(lastAsked.invoke().index())));
          }
        });
    out.judged(asked.size());
    if (byNode.isEmpty()) {
      return out.unknown("no revision observed after heal").build();
    }
    Map<String, Long> last = new TreeMap<>();
    byNode.forEach((node, ops) -> last.put(node, ops.get(ops.size() - 1).completion().revision()));
    long target = last.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    if (last.values().stream().distinct().count() > 1) {
      out.anomaly(
          new Anomaly(
              "diverged",
              null,
              null,
              "nodes end at different revisions " + last,
              lastIndices(byNode)));
    }
    long slowest = 0;
    for (Map.Entry<String, List<Operation>> e : byNode.entrySet()) {
      Long reached = null;
      for (Operation op : e.getValue()) {
        if (op.completion().revision() == target) {
          if (reached == null) {
            reached = op.completion().monoNanos();
          }
        } else {
          reached = null;
        }
      }
      if (reached != null) {
        slowest = Math.max(slowest, reached - heal);
      }
    }
    sameRevisionSameRegistry(byNode, out);
    Duration took = Duration.ofNanos(slowest);
    if (took.compareTo(bound) > 0) {
      out.anomaly(
          new Anomaly(
              "slow-convergence",
              null,
              null,
              "nodes took "
                  + took.toMillis()
                  + " ms after heal to reach revision "
                  + target
                  + " (bound "
                  + bound.toMillis()
                  + " ms)",
              lastIndices(byNode)));
    }
    return out.stat("revision", target)
        .stat("convergenceMillis", took.toMillis())
        .stat("nodes", byNode.keySet())
        .build();
  }

  private static void sameRevisionSameRegistry(
      Map<String, List<Operation>> byNode, CheckResult.Builder out) {
    Map<Long, Operation> firstAt = new TreeMap<>();
    byNode
        .values()
        .forEach(
            ops ->
                ops.stream()
                    .filter(op -> op.f() == OpKind.READ_ALL)
                    .forEach(
                        read -> {
                          Operation other = firstAt.putIfAbsent(read.completion().revision(), read);
                          if (other != null
                              && !other.node().equals(read.node())
                              && !Objects.equals(
                                  other.completion().registry(), read.completion().registry())) {
                            out.anomaly(
                                new Anomaly(
                                    "same-revision-different-registry",
                                    null,
                                    read.node(),
                                    "nodes "
                                        + other.node()
                                        + " and "
                                        + read.node()
                                        + " both at revision "
                                        + read.completion().revision()
                                        + " hold different registries",
                                    List.of(
                                        other.completion().index(), read.completion().index())));
                          }
                        }));
  }

  private static List<Long> lastIndices(Map<String, List<Operation>> byNode) {
    return byNode.values().stream()
        .map(ops -> ops.get(ops.size() - 1).completion().index())
        .toList();
  }
}
