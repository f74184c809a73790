package dev.quorumdns.chaos.history;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The faults the nemeses inject, with what a checker needs to know about each: whether its targets
 * stop serving (their DNS answers are not expected) and which availability condition it creates.
 */
public enum FaultKind {
  KILL_LEADER(true, Condition.LEADER_LOSS),
  KILL_RANDOM(true, Condition.MINORITY_DOWN),
  KILL_MAJORITY(true, Condition.QUORUM_LOST),
  PAUSE_LEADER(true, Condition.LEADER_LOSS),
  RESTART_ALL(true, Condition.QUORUM_LOST),
  PARTITION_LEADER(false, Condition.LEADER_LOSS),
  PARTITION_HALVES(false, Condition.PARTITION),
  PARTITION_RING(false, Condition.PARTITION),
  PARTITION_ONE_WAY(false, Condition.PARTITION),
  PACKET_LOSS(false, Condition.PACKET_LOSS),
  MEMBER_CHANGE(true, Condition.MEMBERSHIP),
  // Combined faults (nemesis.CombinedNemeses): the targets are the nodes the fault stops.
  PAUSE_RANDOM(true, Condition.MINORITY_DOWN),
  PARTITION_KILL(true, Condition.MINORITY_DOWN),
  MEMBER_CHANGE_PARTITION(true, Condition.MEMBERSHIP),
  KILL_SNAPSHOT_INSTALL(true, Condition.LEADER_LOSS),
  // Host faults (nemesis.ClockNemeses, DiskNemeses).
  CLOCK_BUMP(false, Condition.CLOCK),
  CLOCK_STROBE(false, Condition.CLOCK),
  DISK_CORRUPT(true, Condition.MINORITY_DOWN),
  // A node whose Raft log write fails on the full disk stops (Ratis writes to a failed log no more
  // in that process) and is started again by the heal: like a kill, it is down until it answers.
  DISK_FULL(true, Condition.DISK_FULL),
  // Autopilot scenario (run.AutopilotScenario), scripted.
  /** New nodes start and find the cluster (retry-join), until the autopilot has promoted them. */
  MEMBER_JOIN(true, Condition.MEMBERSHIP),
  /** A voter killed and left dead until the autopilot removes it (after its dead-after time). */
  MEMBER_DEAD(true, Condition.MINORITY_DOWN),
  /** A member leaves cleanly (DELETE of itself, as a preStop hook does) and its node stops. */
  MEMBER_LEAVE(true, Condition.MEMBERSHIP);

  /** The state of the cluster a fault puts it in, for per-condition availability figures. */
  public enum Condition {
    HEALTHY,
    LEADER_LOSS,
    MINORITY_DOWN,
    QUORUM_LOST,
    PARTITION,
    PACKET_LOSS,
    MEMBERSHIP,
    CLOCK,
    DISK_FULL;

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final boolean stopsTargets;
  private final Condition condition;

  FaultKind(boolean stopsTargets, Condition condition) {
    this.stopsTargets = stopsTargets;
    this.condition = condition;
  }

  /** True when the targets' processes are killed or frozen, so they answer nothing until healed. */
  public boolean stopsTargets() {
    return stopsTargets;
  }

  public Condition condition() {
    return condition;
  }

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @JsonCreator
  public static FaultKind parse(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
