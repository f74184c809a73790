package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.history.FaultKind;
import java.time.Duration;
import java.util.List;

/**
 * One named stretch of a run: the workload keeps going while faults drawn from {@code faults} come
 * and go.
 */
public record Scenario(String name, List<FaultKind> faults, Duration length) {
  public Scenario {
    faults = List.copyOf(faults);
    if (!name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("scenario name: " + name + " (expected: [a-z0-9-]+)");
    }
  }
}
