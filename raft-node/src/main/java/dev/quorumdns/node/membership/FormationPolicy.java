package dev.quorumdns.node.membership;

import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import dev.quorumdns.node.runtime.FormationInfo.Phase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The rule by which nodes started with {@code bootstrap-expect N} form exactly one cluster, as a
 * function of what one node saw in one round of probes. Three steps, each visible to the others
 * through their formation info:
 *
 * <ol>
 *   <li>propose: once N candidates are seen, the N smallest ids (or, if any node has already
 *       locked, the smallest locked set);
 *   <li>lock: when the round reached every retry-join address and every candidate seen proposes the
 *       same set, this node promises, on disk and for good, to found that set and no other;
 *   <li>found: when every founder is locked on (or has started with) the same set, start Raft with
 *       it.
 * </ol>
 *
 * <p>Two different sets can never both start: a set starts only when all its founders are locked on
 * it, a node locks at most once, so two sets that share a node cannot both be fully locked; two
 * disjoint sets need 2N nodes bootstrapping at once and a round in which one group missed the
 * other. A node whose set can never start (a founder locked on another set, or already a member
 * elsewhere) joins the cluster that did form. Any cluster with a leader seen is joined rather than
 * founded. Stateless and deterministic.
 */
public final class FormationPolicy {
  private FormationPolicy() {}

  /** This node as the rule needs it. Immutable. */
  public record Self(String id, String raft, String cluster, int expect) {}

  /** What to do after a round. */
  public sealed interface Step {
    /** Nothing yet; publish {@code proposal} (may be null). */
    record Wait(String reason, List<Peer> proposal) implements Step {}

    /** Promise to found {@code founders}: write it to disk before publishing it. */
    record Lock(List<Peer> founders) implements Step {}

    /** Start Raft with {@code founders} as the initial voters. */
    record Found(List<Peer> founders) implements Step {}

    /** A cluster exists: ask to be added to it; {@code via} is a member that knows its leader. */
    record Join(FormationInfo via) implements Step {}
  }

  /**
   * @param locked the founders this node locked on, or null
   * @param round the formation info of every node that answered this round (this node's own
   *     included or not)
   * @param complete whether every retry-join address answered or certainly had nothing listening
   */
  public static Step decide(
      Self self, List<Peer> locked, List<FormationInfo> round, boolean complete) {
    Map<String, FormationInfo> seen = new TreeMap<>();
    for (FormationInfo i : round) {
      if (i.id().equals(self.id()) || !i.cluster().equals(self.cluster())) {
        continue;
      }
      FormationInfo before = seen.putIfAbsent(i.id(), i);
      if (before != null && !before.raft().equals(i.raft())) {
        return new Step.Wait(
            "two nodes answer as "
                + i.id()
                + " (Raft "
                + before.raft()
                + " and "
                + i.raft()
                + "): ids must be unique",
            locked);
      }
    }
    FormationInfo led = withLeader(seen);
    if (locked != null) {
      List<String> waiting = new ArrayList<>();
      for (Peer p : locked) {
        FormationInfo i = seen.get(p.id());
        if (p.id().equals(self.id())) {
          continue;
        }
        if (i == null || i.phase() == Phase.DISCOVERING) {
          waiting.add(p.id());
        } else if (!locked.equals(sorted(i.founders()))) {
          String why =
              p.id()
                  + (i.founders() == null
                      ? " is " + i.phase().label() + " of another cluster"
                      : " locked on " + ids(i.founders()));
          return led != null
              ? new Step.Join(led)
              : new Step.Wait(
                  "founders "
                      + ids(locked)
                      + " can never all start ("
                      + why
                      + "); waiting for a cluster to join",
                  locked);
        }
      }
      return waiting.isEmpty()
          ? new Step.Found(locked)
          : new Step.Wait(
              "locked on founders "
                  + ids(locked)
                  + "; waiting for "
                  + String.join(", ", waiting)
                  + " to lock on them too",
              locked);
    }
    if (led != null) {
      return new Step.Join(led);
    }
    for (FormationInfo i : seen.values()) {
      if (i.phase() != Phase.DISCOVERING && i.phase() != Phase.LOCKED && i.founders() == null) {
        return new Step.Wait(
            i.id()
                + " is "
                + i.phase().label()
                + " of a cluster with no leader seen yet; "
                + "waiting to join it",
            null);
      }
    }
    if (self.expect() == 0) {
      return new Step.Wait("looking for a cluster to join (no bootstrap-expect)", null);
    }
    List<FormationInfo> candidates = new ArrayList<>();
    List<List<Peer>> lockedSets = new ArrayList<>();
    for (FormationInfo i : seen.values()) {
      if (i.founders() != null) {
        candidates.add(i);
        lockedSets.add(sorted(i.founders()));
      } else if (i.phase() == Phase.DISCOVERING && i.bootstrapExpect() == self.expect()) {
        candidates.add(i);
      }
    }
    List<Peer> proposal;
    if (!lockedSets.isEmpty()) {
      proposal = lockedSets.stream().min(Comparator.comparing(FormationPolicy::key)).orElseThrow();
    } else {
      List<Peer> all = new ArrayList<>();
      all.add(new Peer(self.id(), self.raft()));
      candidates.forEach(i -> all.add(new Peer(i.id(), i.raft())));
      List<Peer> ordered = sorted(all);
      if (ordered.size() < self.expect()) {
        return new Step.Wait(
            "found " + ordered.size() + " of " + self.expect() + " nodes (" + ids(ordered) + ")",
            null);
      }
      proposal = List.copyOf(ordered.subList(0, self.expect()));
    }
    if (proposal.stream().noneMatch(p -> p.id().equals(self.id()))) {
      return new Step.Wait(
          "the founders will be " + ids(proposal) + "; this node joins the cluster they form",
          proposal);
    }
    if (!complete) {
      return new Step.Wait(
          "proposing founders "
              + ids(proposal)
              + "; not every retry-join address answered this "
              + "round",
          proposal);
    }
    List<String> disagree = new ArrayList<>();
    for (FormationInfo i : candidates) {
      List<Peer> theirs = i.founders() != null ? i.founders() : i.proposal();
      if (theirs == null || !proposal.equals(sorted(theirs))) {
        disagree.add(i.id());
      }
    }
    for (Peer p : proposal) {
      if (!p.id().equals(self.id()) && !seen.containsKey(p.id())) {
        disagree.add(p.id());
      }
    }
    return disagree.isEmpty()
        ? new Step.Lock(proposal)
        : new Step.Wait(
            "proposing founders "
                + ids(proposal)
                + "; waiting for "
                + String.join(", ", disagree)
                + " to agree",
            proposal);
  }

  /**
   * A member that knows a leader and a committed configuration, the leader's own answer first; or
   * null.
   */
  static FormationInfo withLeader(Map<String, FormationInfo> seen) {
    FormationInfo any = null;
    for (FormationInfo i : seen.values()) {
      if (i.phase() == Phase.MEMBER
          && i.leader() != null
          && i.confCommitted()
          && !i.voters().isEmpty()) {
        if (i.leader().equals(i.id())) {
          return i;
        }
        any = any == null ? i : any;
      }
    }
    return any;
  }

  /** Peers ordered by id (the canonical form of a founding set); null stays null. */
  public static List<Peer> sorted(List<Peer> peers) {
    if (peers == null) {
      return null;
    }
    List<Peer> out = new ArrayList<>(peers);
    out.sort(Comparator.comparing(Peer::id));
    return List.copyOf(out);
  }

  private static String key(List<Peer> peers) {
    return peers.stream().map(p -> p.id() + "=" + p.raft()).collect(Collectors.joining(","));
  }

  static String ids(List<Peer> peers) {
    return peers.stream().map(Peer::id).collect(Collectors.joining(", ", "[", "]"));
  }
}
