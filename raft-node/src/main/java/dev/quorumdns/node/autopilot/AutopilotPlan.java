package dev.quorumdns.node.autopilot;

import java.util.List;
import java.util.Map;

/**
 * What the autopilot does at one look: at most one change, a sentence about it, and one about each
 * member. Immutable.
 *
 * @param change the configuration change to make now, or null
 * @param decision what was done or why nothing was, for people
 * @param reasons member id to what the autopilot does with it and why
 */
public record AutopilotPlan(Change change, String decision, Map<String, String> reasons) {
  public AutopilotPlan {
    reasons = Map.copyOf(reasons);
  }

  /** One change of the Raft configuration. */
  public sealed interface Change {
    /** Take an unreachable member out. */
    record Remove(String id) implements Change {}

    /** Make listeners voters (one, or two to keep the number of voters odd). */
    record Promote(List<String> ids) implements Change {
      public Promote {
        ids = List.copyOf(ids);
      }
    }

    /** Make a voter a listener (to keep the number of voters odd, or within the maximum). */
    record Demote(String id) implements Change {}
  }
}
