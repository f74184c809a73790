package dev.quorumdns.node.autopilot;

import dev.quorumdns.node.config.AutopilotSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's autopilot: at every {@link #tick} it looks at the members as the leader sees them
 * (last contact, log lag), keeps how long each has been healthy, asks {@link AutopilotPolicy} what
 * to do and makes at most one configuration change at a time, through the log ({@link Changes}). On
 * a node that does not lead it does nothing and forgets what it tracked: a new leader starts every
 * stabilization window afresh.
 *
 * <p>{@link #tick} is called from one thread; {@link #report} from any.
 */
public final class Autopilot {
  private static final Logger LOG = LoggerFactory.getLogger(Autopilot.class);

  /** A member is behind when it trails the leader's log by more than this many entries. */
  static final long MAX_LAG = 1000;

  private final AutopilotPolicy policy;
  private final Supplier<Look> source;
  private final Changes changes;
  private final Clock clock;
  private final LongSupplier nanos;
  private final long healthyContactMillis;
  private final Map<String, Long> healthySince = new HashMap<>();
  private volatile Report report = Report.NOT_LEADING;
  private volatile String lastAction;
  private CompletableFuture<?> inFlight;
  private AutopilotPlan.Change lastHeld;

  /**
   * Makes one configuration change; completes when it is done (or exceptionally when refused or
   * unknown).
   */
  public interface Changes {
    CompletableFuture<?> apply(AutopilotPlan.Change change);
  }

  /**
   * What the leader sees at one look. Immutable.
   *
   * @param leader the leader's id (this node)
   * @param lastContactMillis member id to the time since it last answered; members without an entry
   *     have not been heard from by this leader yet
   * @param logLag member id to how many entries it trails the leader's log
   * @param confStable whether the configuration is committed and no change is in progress
   */
  public record Look(
      String leader,
      List<String> voters,
      List<String> listeners,
      Map<String, Long> lastContactMillis,
      Map<String, Long> logLag,
      boolean confStable) {}

  /**
   * The autopilot's last look, for {@code GET /v1/cluster}. Immutable.
   *
   * @param members the members with their health (empty when this node does not lead)
   * @param plan what it decided, or null when this node does not lead
   */
  public record Report(boolean tracking, List<MemberView> members, AutopilotPlan plan, Instant at) {
    static final Report NOT_LEADING = new Report(false, List.of(), null, null);
  }

  /**
   * @param electionTimeout the Raft election timeout: a member that has not answered for five of
   *     them (at least 2 s) is not healthy
   * @param source the leader's look, or null when this node does not lead
   */
  public Autopilot(
      AutopilotSettings settings,
      Duration electionTimeout,
      Supplier<Look> source,
      Changes changes,
      Clock clock) {
    this(settings, electionTimeout, source, changes, clock, System::nanoTime);
  }

  /**
   * @param clock the wall clock, only for the times the report shows
   * @param nanos a monotonic clock ({@link System#nanoTime}) for how long members stay healthy: a
   *     step of the wall clock (NTP, an operator) must neither promote a listener before its
   *     stabilization time nor hold it back
   */
  public Autopilot(
      AutopilotSettings settings,
      Duration electionTimeout,
      Supplier<Look> source,
      Changes changes,
      Clock clock,
      LongSupplier nanos) {
    this.policy = new AutopilotPolicy(settings);
    this.source = source;
    this.changes = changes;
    this.clock = clock;
    this.nanos = nanos;
    this.healthyContactMillis = Math.max(2000, electionTimeout.toMillis() * 5);
  }

  public Report report() {
    return report;
  }

  /** The last change the autopilot made (or tried), with its time; null before the first. */
  public String lastAction() {
    return lastAction;
  }

  public void tick() {
    Look look;
    try {
      look = source.get();
    } catch (RuntimeException e) {
      LOG.debug("autopilot: no look at the members: {}", e.toString());
      look = null;
    }
    if (look == null) {
      healthySince.clear();
      report = Report.NOT_LEADING;
      return;
    }
    long now = clock.millis();
    long since = nanos.getAsLong() / 1_000_000;
    List<MemberView> views = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    addViews(look, look.voters(), true, since, views, ids);
    addViews(look, look.listeners(), false, since, views, ids);
    healthySince.keySet().retainAll(ids);
    AutopilotPlan plan = policy.plan(views);
    boolean busy = inFlight != null && !inFlight.isDone();
    if (plan.change() != null && (busy || !look.confStable())) {
      // Said once per decision held: a change held for minutes (chaos run 2024120701: two listeners
      // never promoted, no autopilot line in any log) must leave a trace.
      if (!plan.change().equals(lastHeld)) {
        lastHeld = plan.change();
        LOG.info(
            "autopilot: {} waits: {}",
            plan.decision(),
            busy ? "its previous change has not ended" : "the configuration is not committed yet");
      }
      plan =
          new AutopilotPlan(
              null,
              plan.decision() + " (after the configuration change in progress)",
              plan.reasons());
    } else {
      lastHeld = null;
    }
    report = new Report(true, List.copyOf(views), plan, Instant.ofEpochMilli(now));
    if (plan.change() == null) {
      return;
    }
    AutopilotPlan.Change change = plan.change();
    String what = plan.decision();
    LOG.info("autopilot: {}", what);
    inFlight =
        changes
            .apply(change)
            .whenComplete(
                (r, e) -> {
                  Throwable cause =
                      e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                  lastAction =
                      Instant.ofEpochMilli(clock.millis())
                          + " "
                          + what
                          + (e == null ? ": done" : ": failed, " + cause);
                  if (e != null) {
                    LOG.warn("autopilot: {} failed: {}", what, cause.toString());
                  }
                });
  }

  private void addViews(
      Look look,
      List<String> members,
      boolean voter,
      long monotonicMillis,
      List<MemberView> views,
      Set<String> ids) {
    for (String id : members) {
      ids.add(id);
      boolean leader = id.equals(look.leader());
      Long contact = look.lastContactMillis().get(id);
      long lag = look.logLag().getOrDefault(id, Long.MAX_VALUE);
      boolean healthy =
          leader || (contact != null && contact <= healthyContactMillis && lag <= MAX_LAG);
      Duration healthyFor = null;
      if (healthy) {
        healthyFor =
            Duration.ofMillis(
                monotonicMillis - healthySince.computeIfAbsent(id, k -> monotonicMillis));
      } else {
        healthySince.remove(id);
      }
      views.add(
          new MemberView(
              id,
              voter,
              leader,
              leader ? 0 : contact == null ? 0 : contact,
              leader ? 0 : lag == Long.MAX_VALUE ? -1 : lag,
              healthyFor));
    }
  }
}
