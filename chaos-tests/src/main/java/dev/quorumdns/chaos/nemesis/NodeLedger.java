package dev.quorumdns.chaos.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The nodes the combined nemeses stopped and have not brought back yet, and how. A fault picks its
 * targets among the others and never stops a node twice; a node an earlier fault could not bring
 * back (its heal failed or timed out) is brought back before the next fault, or that fault does not
 * apply. Used from the nemesis thread only.
 */
final class NodeLedger {
  /** How a node was stopped, hence how it comes back. */
  enum How {
    KILLED,
    FROZEN,
    PAUSED,
    REMOVED
  }

  private final Map<String, How> stopped = new TreeMap<>();

  /** Notes {@code id} stopped; a node already stopped is a bug in the nemesis. */
  void stopped(String id, How how) {
    How already = stopped.get(id);
    if (already != null && already != How.REMOVED) {
      throw new IllegalStateException(id + " is already " + already + ", cannot be " + how);
    }
    stopped.put(id, how);
  }

  void back(String id) {
    stopped.remove(id);
  }

  boolean isStopped(String id) {
    return stopped.containsKey(id);
  }

  Map<String, How> stopped() {
    return Map.copyOf(stopped);
  }

  /** The ids of {@code ids} not stopped, in order. */
  List<String> running(List<String> ids) {
    List<String> out = new ArrayList<>(ids);
    out.removeIf(stopped::containsKey);
    return out;
  }

  /**
   * Brings back every node still stopped by an earlier fault, each step within {@code deadline}
   * (membership changes within {@code membership}); throws {@link Nemesis.NotApplicable} naming the
   * first node that cannot be brought back.
   */
  void restore(ClusterControl cluster, Duration deadline, Duration membership) {
    for (Map.Entry<String, How> e : Map.copyOf(stopped).entrySet()) {
      String id = e.getKey();
      try {
        switch (e.getValue()) {
          case KILLED -> Steps.within("start " + id, deadline, () -> cluster.start(id));
          case FROZEN -> Steps.within("thaw " + id, deadline, () -> cluster.thaw(id));
          case PAUSED ->
              Steps.within("unpause " + id, deadline, () -> cluster.unpauseContainer(id));
          case REMOVED -> Steps.within("add " + id, membership, () -> cluster.addMember(id));
        }
        back(id);
      } catch (RuntimeException failed) {
        throw new Nemesis.NotApplicable(
            id
                + " still "
                + e.getValue().name().toLowerCase(Locale.ROOT)
                + " by an earlier fault and cannot be brought back: "
                + failed.getMessage());
      }
    }
  }
}
