package dev.quorumdns.node.autopilot;

import dev.quorumdns.node.config.AutopilotSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The autopilot's rules, as a function of what the leader sees: remove a member unreachable for
 * {@code dead-after} (listeners first; a voter only if the healthy voters left are a majority of
 * the voters left), then keep the voters odd and at most {@code max-voters} by promoting listeners
 * that stayed healthy for {@code stabilization} (two at a time when the count is odd) or, with no
 * such listener and four or more voters, demoting one. At most one change per look. Stateless and
 * deterministic: the same members give the same plan.
 */
public final class AutopilotPolicy {
  private final AutopilotSettings settings;

  public AutopilotPolicy(AutopilotSettings settings) {
    this.settings = settings;
  }

  public AutopilotPlan plan(List<MemberView> members) {
    List<MemberView> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(MemberView::id));
    List<MemberView> voters = sorted.stream().filter(MemberView::voter).toList();
    List<MemberView> listeners = sorted.stream().filter(m -> !m.voter()).toList();
    Map<String, String> reasons = new HashMap<>();
    for (MemberView m : sorted) {
      reasons.put(m.id(), describe(m));
    }

    if (!settings.acts()) {
      return new AutopilotPlan(
          null,
          "watching only: this cluster's members are static (peers); give an autopilot-* "
              + "key to let the autopilot promote, demote and remove members",
          reasons);
    }
    AutopilotPlan.Change change = null;
    String decision = null;
    for (MemberView m : listeners) {
      if (dead(m)) {
        if (change == null) {
          change = new AutopilotPlan.Change.Remove(m.id());
          decision =
              "removing listener " + m.id() + ": unreachable for " + seconds(m.lastContactMillis());
          reasons.put(
              m.id(),
              "unreachable for "
                  + seconds(m.lastContactMillis())
                  + " (dead after "
                  + human(settings.deadAfter())
                  + "): removing it");
        } else {
          reasons.put(
              m.id(),
              "unreachable for "
                  + seconds(m.lastContactMillis())
                  + ": removed after the change in "
                  + "progress (one at a time)");
        }
      }
    }
    for (MemberView m : voters) {
      if (!dead(m)) {
        continue;
      }
      long left = voters.size() - 1;
      long healthyLeft = voters.stream().filter(v -> v != m && v.healthy()).count();
      long majority = left / 2 + 1;
      String gone =
          "unreachable for "
              + seconds(m.lastContactMillis())
              + " (dead after "
              + human(settings.deadAfter())
              + ")";
      if (left < 1 || healthyLeft < majority) {
        reasons.put(
            m.id(),
            gone
                + ": kept, removing it would leave "
                + healthyLeft
                + " healthy of "
                + left
                + " voters, fewer than a majority");
      } else if (change == null) {
        change = new AutopilotPlan.Change.Remove(m.id());
        decision = "removing voter " + m.id() + ": " + gone;
        reasons.put(
            m.id(),
            gone + ": removing it (" + healthyLeft + " healthy of " + left + " voters left)");
      } else {
        reasons.put(m.id(), gone + ": removed after the change in progress (one at a time)");
      }
    }
    if (change != null) {
      return new AutopilotPlan(change, decision, reasons);
    }

    List<MemberView> promotable = listeners.stream().filter(this::stable).toList();
    int n = voters.size();
    int max = settings.maxVoters();
    if (n > max || (n % 2 == 0 && n >= 4 && (promotable.isEmpty() || n >= max))) {
      MemberView out = demotable(voters);
      if (out != null) {
        reasons.put(
            out.id(),
            "voter: made a listener to keep "
                + (n > max ? "at most " + max + " voters" : "the number of voters odd")
                + " ("
                + n
                + " now)");
        return new AutopilotPlan(
            new AutopilotPlan.Change.Demote(out.id()),
            "demoting "
                + out.id()
                + ": "
                + n
                + " voters, "
                + (n > max ? "more than autopilot-max-voters " + max : "an even number"),
            reasons);
      }
    }
    if (n < max && n % 2 == 0 && !promotable.isEmpty()) {
      MemberView in = promotable.get(0);
      reasons.put(
          in.id(), "listener: healthy for " + human(in.healthyFor()) + ": promoting it to voter");
      return new AutopilotPlan(
          new AutopilotPlan.Change.Promote(List.of(in.id())),
          "promoting " + in.id() + " (" + n + " voters, an even number)",
          reasons);
    }
    if (n + 2 <= max && n % 2 == 1 && promotable.size() >= 2) {
      List<String> ids = List.of(promotable.get(0).id(), promotable.get(1).id());
      ids.forEach(
          id ->
              reasons.put(
                  id,
                  "listener: stayed healthy for "
                      + human(settings.stabilization())
                      + ": promoting it with "
                      + (id.equals(ids.get(0)) ? ids.get(1) : ids.get(0))
                      + " (voters stay odd)"));
      return new AutopilotPlan(
          new AutopilotPlan.Change.Promote(ids),
          "promoting " + String.join(" and ", ids) + " (" + n + " voters become " + (n + 2) + ")",
          reasons);
    }
    for (MemberView m : promotable) {
      reasons.put(
          m.id(),
          n >= max
              ? "listener: stays one, " + n + " voters is autopilot-max-voters"
              : "listener: ready, waiting for a second healthy listener so the voters stay odd");
    }
    return new AutopilotPlan(
        null,
        "no change: "
            + n
            + " voter"
            + (n == 1 ? "" : "s")
            + " (max "
            + max
            + "), "
            + listeners.size()
            + " listener"
            + (listeners.size() == 1 ? "" : "s")
            + waiting(listeners, promotable),
        reasons);
  }

  private String waiting(List<MemberView> listeners, List<MemberView> promotable) {
    long stabilizing =
        listeners.stream().filter(m -> m.healthy() && !promotable.contains(m)).count();
    long unhealthy = listeners.stream().filter(m -> !m.healthy()).count();
    StringBuilder b = new StringBuilder();
    if (stabilizing > 0) {
      b.append(", ").append(stabilizing).append(" stabilizing");
    }
    if (unhealthy > 0) {
      b.append(", ").append(unhealthy).append(" not healthy");
    }
    return b.toString();
  }

  private String describe(MemberView m) {
    if (m.leader()) {
      return "voter (leader)";
    }
    String health =
        m.healthy()
            ? "healthy"
            : "not healthy (last contact "
                + seconds(m.lastContactMillis())
                + " ago, "
                + m.logLag()
                + " entries behind)";
    if (m.voter()) {
      return "voter, " + health;
    }
    if (!m.healthy()) {
      return "listener, " + health + ": not promoted";
    }
    return "listener: healthy for "
        + human(m.healthyFor())
        + " of "
        + human(settings.stabilization())
        + " before it may be promoted";
  }

  /** The voter to demote: never the leader; an unhealthy one first, then the highest id. */
  private static MemberView demotable(List<MemberView> voters) {
    return voters.stream()
        .filter(v -> !v.leader())
        .max(Comparator.comparing((MemberView v) -> !v.healthy()).thenComparing(MemberView::id))
        .orElse(null);
  }

  private boolean dead(MemberView m) {
    return settings.removesDead()
        && !m.leader()
        && m.lastContactMillis() >= settings.deadAfter().toMillis();
  }

  private boolean stable(MemberView m) {
    return m.healthy() && !dead(m) && m.healthyFor().compareTo(settings.stabilization()) >= 0;
  }

  private static String seconds(long millis) {
    return human(Duration.ofMillis(millis));
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return (ms / 60_000) + "m" + (ms % 60_000 / 1000) + "s";
  }
}
