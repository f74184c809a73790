package dev.quorumdns.node.runtime;

import dev.quorumdns.registry.ClusterSettings;
import java.util.List;
import java.util.Locale;

/**
 * The cluster as one node sees it, from local state. Immutable.
 *
 * @param leader the leader's id, or null when none is known
 * @param term the current Raft term, or null when Raft is not running
 * @param commitIndex the highest index known to be committed, or null when Raft is not running
 * @param services how many services this replica holds
 * @param members voters first (in configuration order), then listeners
 * @param settings the cluster-wide settings, or null before the first leader wrote them
 * @param autopilot what the autopilot decided, as this node knows it
 * @param formation how this node is forming or joining its cluster, or null once it is a member
 */
public record ClusterStatus(
    String id,
    String leader,
    Long term,
    Long commitIndex,
    long appliedIndex,
    long revision,
    int services,
    List<Member> members,
    ClusterSettings settings,
    Autopilot autopilot,
    String formation) {
  public ClusterStatus {
    members = List.copyOf(members);
  }

  public ClusterStatus(
      String id,
      String leader,
      Long term,
      Long commitIndex,
      long appliedIndex,
      long revision,
      int services,
      List<Member> members,
      ClusterSettings settings) {
    this(
        id,
        leader,
        term,
        commitIndex,
        appliedIndex,
        revision,
        services,
        members,
        settings,
        null,
        null);
  }

  /**
   * The autopilot as this node sees it. Immutable.
   *
   * @param tracking whether this node tracks member health (only the leader does)
   * @param decision what the autopilot did or why it did nothing, at its last look
   * @param lastAction the last change it made, or null
   */
  public record Autopilot(boolean tracking, String decision, String lastAction) {}

  /**
   * A member's health as the leader sees it. Immutable.
   *
   * @param lastContactMillis time since the member last answered the leader
   * @param logLag entries the member is behind the leader's log
   * @param healthy answering and caught up
   * @param autopilot what the autopilot does with this member, and why
   */
  public record Health(long lastContactMillis, long logLag, boolean healthy, String autopilot) {}

  /** What a member does in the cluster, as this node sees it. */
  public enum Role {
    LEADER,
    FOLLOWER,
    CANDIDATE,
    LISTENER;

    /** The lower-case name the API and the CLI show. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One member. Immutable.
   *
   * @param raft its Raft address ({@code host:port})
   * @param api its published HTTP API address, or null until it published its record
   * @param dns its published DNS address, or null until it published its record
   * @param health its health and the autopilot's plan for it, or null where this node does not
   *     track it
   */
  public record Member(String id, Role role, String raft, String api, String dns, Health health) {
    public Member(String id, Role role, String raft, String api, String dns) {
      this(id, role, raft, api, dns, null);
    }
  }
}
