package dev.quorumdns.chaos.run;

import dev.quorumdns.chaos.history.FaultKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One named stretch of a run: the workload keeps going while faults drawn from {@code faults} come
 * and go.
 *
 * @param gapMin, gapMax quiet time before each fault when this scenario needs its own (e.g. quorum
 *     loss: long enough for the nodes to restart and writes to succeed between faults); null: the
 *     run's settings
 */
public record Scenario(
    String name, List<FaultKind> faults, Duration length, Duration gapMin, Duration gapMax) {
  public Scenario {
    faults = List.copyOf(faults);
    if (!name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("scenario name: " + name + " (expected: [a-z0-9-]+)");
    }
    if ((gapMin == null) != (gapMax == null)) {
      throw new IllegalArgumentException("scenario " + name + ": give both gaps or neither");
    }
  }

  public Scenario(String name, List<FaultKind> faults, Duration length) {
    this(name, faults, length, null, null);
  }

  /** This scenario's own gaps between faults, if it has them. */
  public Optional<Duration[]> gaps() {
    return gapMin == null ? Optional.empty() : Optional.of(new Duration[] {gapMin, gapMax});
  }
}
