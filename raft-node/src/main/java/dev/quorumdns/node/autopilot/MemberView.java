package dev.quorumdns.node.autopilot;

import java.time.Duration;

/**
 * One member as the leader sees it at one look. Immutable.
 *
 * @param voter a voter (else a listener)
 * @param leader the leader itself (always healthy, never removed or demoted)
 * @param lastContactMillis time since the member last answered the leader
 * @param logLag entries it is behind the leader's log
 * @param healthyFor how long it has been healthy without a break, or null when it is not healthy
 *     now
 */
public record MemberView(
    String id,
    boolean voter,
    boolean leader,
    long lastContactMillis,
    long logLag,
    Duration healthyFor) {
  public boolean healthy() {
    return healthyFor != null;
  }
}
