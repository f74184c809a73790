package dev.quorumdns.chaos.client;

import java.util.List;

/**
 * A node's GET /v1/cluster answer, or why there was none ({@code error} set, the rest empty).
 * Immutable.
 */
public record ClusterStatus(
    String id,
    String leader,
    long term,
    long commitIndex,
    long appliedIndex,
    long revision,
    List<Member> members,
    String error) {
  /** One member as a node lists it. */
  public record Member(String id, String role, String raft, String api, String dns) {}

  public ClusterStatus {
    members = members == null ? List.of() : List.copyOf(members);
  }

  public static ClusterStatus unreachable(String error) {
    return new ClusterStatus(null, null, 0, 0, 0, 0, List.of(), error);
  }

  public boolean reachable() {
    return error == null;
  }
}
