package dev.quorumdns.chaos.checker;

import java.time.Duration;
import java.util.List;

/**
 * The autopilot settings a chaos cluster runs with, and how long the autopilot may take to act on
 * what it sees ({@code settle}: it looks once a second and waits for each change to commit).
 * Immutable.
 *
 * @param stabilization how long a listener stays healthy before it is promoted
 * @param deadAfter how long a member may be unreachable before it is removed
 * @param maxVoters voters are kept odd up to this many
 * @param settle how long past a rule's trigger the autopilot may take to act
 */
public record AutopilotRules(
    Duration stabilization, Duration deadAfter, int maxVoters, Duration settle) {
  /**
   * The chaos suite's: a short stabilization so joins finish within a scenario; dead-after well
   * above how long a killed or frozen node of the other scenarios usually stays out of contact (a
   * fault holds at most 5 s, then the JVM restarts in seconds), so the autopilot scenario's dead
   * voter is what it removes. On a loaded box a restart has taken over 40 s (CI short-4716435,
   * short-11641090); the autopilot then removes that node too, by rule, and the run adds it back
   * ({@code RemovedFounders} in the run package).
   */
  public static final AutopilotRules CHAOS =
      new AutopilotRules(Duration.ofSeconds(3), Duration.ofSeconds(45), 5, Duration.ofSeconds(20));

  /** The node flags that set these rules. */
  public List<String> nodeFlags() {
    return List.of(
        "--autopilot-stabilization",
        stabilization.toMillis() + "ms",
        "--autopilot-dead-after",
        deadAfter.toMillis() + "ms",
        "--autopilot-max-voters",
        String.valueOf(maxVoters));
  }
}
