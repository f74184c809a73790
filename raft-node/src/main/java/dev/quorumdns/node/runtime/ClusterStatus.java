package dev.quorumdns.node.runtime;

import dev.quorumdns.registry.ClusterSettings;
import java.util.List;
import java.util.Locale;

/**
 * The cluster as one node sees it, from local state. Immutable.
 *
 * @param leader      the leader's id, or null when none is known
 * @param term        the current Raft term, or null when Raft is not running
 * @param commitIndex the highest index known to be committed, or null when Raft is not running
 * @param services    how many services this replica holds
 * @param members     voters first (in configuration order), then listeners
 * @param settings    the cluster-wide settings, or null before the first leader wrote them
 */
public record ClusterStatus(String id, String leader, Long term, Long commitIndex, long appliedIndex,
                            long revision, int services, List<Member> members, ClusterSettings settings) {
  public ClusterStatus {
    members = List.copyOf(members);
  }

  /** What a member does in the cluster, as this node sees it. */
  public enum Role {
    LEADER, FOLLOWER, CANDIDATE, LISTENER;

    /** The lower-case name the API and the CLI show. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One member. Immutable.
   *
   * @param raft its Raft address ({@code host:port})
   * @param api  its published HTTP API address, or null until it published its record
   * @param dns  its published DNS address, or null until it published its record
   */
  public record Member(String id, Role role, String raft, String api, String dns) {}
}
