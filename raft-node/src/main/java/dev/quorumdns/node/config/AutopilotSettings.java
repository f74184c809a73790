package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;
import java.time.Duration;

/**
 * What the leader's autopilot may do with the members. Immutable.
 *
 * @param stabilization how long a listener must stay healthy before it is promoted to voter
 * @param maxVoters voters are kept odd up to this many (odd, 1..9); other members stay listeners
 * @param deadAfter a member unreachable this long is removed; {@link Duration#ZERO} turns removal
 *     off
 * @param acts whether the autopilot changes members at all: by default only in clusters that find
 *     their members (retry-join), or when an autopilot key is given; otherwise it only reports
 *     health
 */
public record AutopilotSettings(
    Duration stabilization, int maxVoters, Duration deadAfter, boolean acts) {
  public AutopilotSettings(Duration stabilization, int maxVoters, Duration deadAfter) {
    this(stabilization, maxVoters, deadAfter, true);
  }

  public static final Duration DEFAULT_STABILIZATION = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_VOTERS = 5;
  public static final Duration DEFAULT_DEAD_AFTER = Duration.ofMinutes(5);

  /**
   * @param discovers whether this node finds its members itself (then the autopilot acts unless
   *     told not to)
   */
  static AutopilotSettings from(Settings s, boolean discovers) {
    Duration stabilization = s.duration("autopilot-stabilization", DEFAULT_STABILIZATION);
    if (stabilization.isNegative() || stabilization.compareTo(Duration.ofHours(1)) > 0) {
      throw new ValidationException(
          "autopilot-stabilization", stabilization + " (expected: 0s..1h)");
    }
    int maxVoters = s.integer("autopilot-max-voters", DEFAULT_MAX_VOTERS, 1, 9);
    if (maxVoters % 2 == 0) {
      throw new ValidationException(
          "autopilot-max-voters",
          maxVoters
              + " (expected: an odd number, 1..9: an even "
              + "number of voters tolerates no more failures than one fewer)");
    }
    Duration deadAfter =
        "0".equals(s.string("autopilot-dead-after", null))
            ? Duration.ZERO
            : s.duration("autopilot-dead-after", DEFAULT_DEAD_AFTER);
    if (!deadAfter.isZero() && deadAfter.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ValidationException(
          "autopilot-dead-after",
          deadAfter.toMillis() + "ms (expected: 0 for never, " + "or at least 1s)");
    }
    boolean acts =
        discovers
            || s.has("autopilot-stabilization")
            || s.has("autopilot-max-voters")
            || s.has("autopilot-dead-after");
    return new AutopilotSettings(stabilization, maxVoters, deadAfter, acts);
  }

  /** Whether unreachable members are removed at all. */
  public boolean removesDead() {
    return !deadAfter.isZero();
  }
}
