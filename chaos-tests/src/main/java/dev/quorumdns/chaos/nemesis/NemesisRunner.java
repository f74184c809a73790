package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Carries out a {@link NemesisSchedule}: waits for each fault's planned time, marks the injection
 * ({@link History#INJECT}), injects it, records the start in the history (the fault's interval
 * begins at the mark: a kill may take effect long before a slow injection returns), holds it, heals
 * it and records the stop. A fault that does not apply yet (no leader known: an election is under
 * way after the last fault) is tried again for a while ({@code patience}), then skipped and
 * counted. Healing is always attempted, even when interrupted. Runs on the calling thread.
 */
public final class NemesisRunner {
  /** Phase marker for what a fault saw ({@link Nemesis.Active#notes}), after its stop record. */
  public static final String NOTE = "nemesis-note";

  /** What happened: faults injected and healed, and those skipped with why. Immutable. */
  public record Outcome(int injected, List<String> skipped) {
    public Outcome {
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * The longest one injection or heal may take (a membership change waits up to 30 s for its
   * configuration, a re-join for the process to go): past it the run fails instead of hanging.
   */
  public static final Duration STEP_DEADLINE = Duration.ofSeconds(90);

  private final ClusterControl cluster;
  private final Map<FaultKind, Nemesis> nemeses;
  private final HistoryRecorder recorder;
  private final Duration patience;

  /**
   * Waits up to 20 s for a fault to apply: a leader is elected within seconds after any healed
   * fault.
   */
  public NemesisRunner(
      ClusterControl cluster, Map<FaultKind, Nemesis> nemeses, HistoryRecorder recorder) {
    this(cluster, nemeses, recorder, Duration.ofSeconds(20));
  }

  public NemesisRunner(
      ClusterControl cluster,
      Map<FaultKind, Nemesis> nemeses,
      HistoryRecorder recorder,
      Duration patience) {
    this.cluster = cluster;
    this.nemeses = Map.copyOf(nemeses);
    this.recorder = recorder;
    this.patience = patience;
  }

  /**
   * Runs the plan, timing it from now; stops early (after healing) when {@code stop} turns true.
   */
  public Outcome run(NemesisSchedule schedule, BooleanSupplier stop) {
    Random random = new Random(schedule.seed() ^ 0x5DEECE66DL);
    long origin = System.nanoTime();
    int injected = 0;
    List<String> skipped = new ArrayList<>();
    for (PlannedFault planned : schedule.faults()) {
      if (!waitUntil(origin, planned.at(), stop)) {
        break;
      }
      Nemesis nemesis = nemeses.get(planned.kind());
      if (nemesis == null) {
        throw new IllegalArgumentException("no nemesis for " + planned.kind());
      }
      Nemesis.Active active = inject(nemesis, planned, random, skipped, stop);
      if (active == null) {
        continue;
      }
      String id = recorder.faultStarted(planned.kind(), active.targets());
      injected++;
      try {
        // Held for its full time from when it is in place: a slow injection must not shorten the
        // fault.
        waitUntil(System.nanoTime(), planned.hold(), stop);
      } finally {
        StepDeadline.run("heal of " + planned.kind().wire(), STEP_DEADLINE, active::heal);
        recorder.faultStopped(id, planned.kind(), active.targets());
        active.notes().forEach(note -> recorder.phase(NOTE, id + " " + note));
      }
    }
    return new Outcome(injected, skipped);
  }

  /**
   * Injects, trying again every 250 ms while the fault does not apply; null (and a skip noted) past
   * patience.
   */
  private Nemesis.Active inject(
      Nemesis nemesis,
      PlannedFault planned,
      Random random,
      List<String> skipped,
      BooleanSupplier stop) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      recorder.phase(History.INJECT, planned.kind().wire());
      try {
        return StepDeadline.call(
            "injection of " + planned.kind().wire(),
            STEP_DEADLINE,
            () -> nemesis.inject(cluster, random));
      } catch (Nemesis.NotApplicable e) {
        if (System.nanoTime() >= deadline
            || !waitUntil(System.nanoTime(), Duration.ofMillis(250), stop)) {
          skipped.add(
              planned.kind().wire()
                  + " at "
                  + planned.at().toMillis()
                  + " ms: "
                  + e.getMessage()
                  + " (for "
                  + patience.toMillis()
                  + " ms)");
          return null;
        }
      }
    }
  }

  /**
   * Waits for the planned instant; false when stopped first. The schedule is the one place that
   * waits on time.
   */
  private static boolean waitUntil(long origin, Duration at, BooleanSupplier stop) {
    long deadline = origin + at.toNanos();
    while (System.nanoTime() < deadline) {
      if (stop.getAsBoolean()) {
        return false;
      }
      long left = Math.min(deadline - System.nanoTime(), 50_000_000L);
      if (left > 0) {
        try {
          Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }
}
