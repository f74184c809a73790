package dev.quorumdns.chaos.report;

import java.util.List;
import java.util.Objects;

/**
 * What a run was: its id (also its directory name), seed, nodes and scenarios, for the report.
 * Immutable.
 */
public record RunInfo(
    String runId, long seed, List<String> nodes, List<String> scenarios, String description) {
  public RunInfo {
    Objects.requireNonNull(runId, "runId");
    if (!runId.matches("[A-Za-z0-9._-]+") || runId.equals("latest")) {
      throw new IllegalArgumentException(
          "runId: " + runId + " (expected: [A-Za-z0-9._-]+, not 'latest')");
    }
    nodes = List.copyOf(nodes);
    scenarios = List.copyOf(scenarios);
  }
}
