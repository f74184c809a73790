package dev.quorumdns.node.runtime;

import java.util.List;
import java.util.Locale;

/**
 * What a node tells the nodes that look for their cluster ({@code GET /v1/cluster/formation}, open
 * like {@code /healthz}): who it is, how far it is in forming or joining a cluster, and the members
 * it knows. Immutable.
 *
 * @param raft its Raft address, as members would list it
 * @param api its HTTP API address
 * @param bootstrapExpect its {@code bootstrap-expect}, 0 when it only joins (or has a static member
 *     list)
 * @param founders the founding members it locked on (and started with), or null
 * @param proposal the founders it would agree to now, or null (while discovering)
 * @param leader the Raft leader it knows, or null
 * @param voters the voters of its Raft configuration (empty before it has one)
 * @param listeners the listeners of its Raft configuration
 * @param confCommitted whether that configuration is committed and not in the middle of a change
 * @param reason what it is waiting for, for people
 */
public record FormationInfo(
    String id,
    String cluster,
    String raft,
    String api,
    int bootstrapExpect,
    Phase phase,
    List<Peer> founders,
    List<Peer> proposal,
    String leader,
    List<Peer> voters,
    List<Peer> listeners,
    boolean confCommitted,
    String reason) {
  public FormationInfo {
    founders = founders == null ? null : List.copyOf(founders);
    proposal = proposal == null ? null : List.copyOf(proposal);
    voters = List.copyOf(voters);
    listeners = List.copyOf(listeners);
  }

  /** How far a node is. */
  public enum Phase {
    /** Looking for candidates; may publish a proposal. */
    DISCOVERING,
    /** Promised (on disk) to found a cluster with {@code founders} and no other. */
    LOCKED,
    /** Has been a member; checking with the cluster before it starts Raft again. */
    STARTING,
    /** Runs Raft but is not in a configuration yet: waiting to be added. */
    JOINING,
    /** Runs Raft as a member of a configuration. */
    MEMBER;

    /** The lower-case name the API shows. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #label()}; null for an unknown one. */
    public static Phase of(String label) {
      for (Phase p : values()) {
        if (p.label().equals(label)) {
          return p;
        }
      }
      return null;
    }
  }

  /** A member or candidate: id and Raft address. Immutable. */
  public record Peer(String id, String raft) {}

  /** Whether {@code id} is a voter or listener of this node's configuration. */
  public boolean lists(String memberId) {
    return voters.stream().anyMatch(p -> p.id().equals(memberId))
        || listeners.stream().anyMatch(p -> p.id().equals(memberId));
  }
}
