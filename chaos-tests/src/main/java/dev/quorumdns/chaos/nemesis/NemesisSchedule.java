package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.history.FaultKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A seeded plan of faults, one at a time: quiet gap, fault held for a while, heal, repeat, until
 * the run's length. The same seed and parameters give the same plan. Immutable.
 */
public record NemesisSchedule(long seed, List<PlannedFault> faults) {
  public NemesisSchedule {
    faults = List.copyOf(faults);
  }

  /**
   * @param kinds the faults to draw from (uniformly)
   * @param length no fault is planned to end after this
   * @param hold how long faults last: [min, max]
   * @param gap quiet time before each fault: [min, max]
   */
  public static NemesisSchedule plan(
      long seed, List<FaultKind> kinds, Duration length, Duration[] hold, Duration[] gap) {
    Objects.requireNonNull(kinds, "kinds");
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("kinds: empty (expected: at least one fault kind)");
    }
    Random random = new Random(seed);
    List<PlannedFault> out = new ArrayList<>();
    Duration t = Duration.ZERO;
    while (true) {
      Duration start = t.plus(between(random, gap[0], gap[1]));
      Duration held = between(random, hold[0], hold[1]);
      FaultKind kind = kinds.get(random.nextInt(kinds.size()));
      if (start.plus(held).compareTo(length) > 0) {
        break;
      }
      out.add(new PlannedFault(start, kind, held));
      t = start.plus(held);
    }
    return new NemesisSchedule(seed, out);
  }

  private static Duration between(Random random, Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return min.plusMillis(span <= 0 ? 0 : (long) (random.nextDouble() * span));
  }
}
