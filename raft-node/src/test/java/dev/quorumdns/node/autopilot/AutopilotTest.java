package dev.quorumdns.node.autopilot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.config.AutopilotSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The autopilot's memory across looks: stabilization windows, one change in flight, forgetting on
 * losing lead.
 */
class AutopilotTest {
  private Instant now = Instant.parse("2026-12-05T00:00:00Z");

  /** The monotonic clock: moves with {@link #tickAfter}, not with {@link #stepWallClock}. */
  private long nanos = 1_000_000_000L;

  private Autopilot.Look look;
  private final List<AutopilotPlan.Change> applied = new ArrayList<>();
  private CompletableFuture<Object> pending = new CompletableFuture<>();

  private final Autopilot autopilot =
      new Autopilot(
          new AutopilotSettings(Duration.ofSeconds(10), 5, Duration.ofMinutes(5)),
          Duration.ofMillis(400),
          () -> look,
          change -> {
            applied.add(change);
            return pending;
          },
          new Clock() {
            @Override
            public ZoneOffset getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return now;
            }
          },
          () -> nanos);

  private static Autopilot.Look threeAndTwo(long n4Contact) {
    return new Autopilot.Look(
        "n1",
        List.of("n1", "n2", "n3"),
        List.of("n4", "n5"),
        Map.of("n2", 50L, "n3", 60L, "n4", n4Contact, "n5", 70L),
        Map.of("n2", 0L, "n3", 0L, "n4", 0L, "n5", 3L),
        true);
  }

  private void tickAfter(Duration d) {
    now = now.plus(d);
    nanos += d.toNanos();
    autopilot.tick();
  }

  /** An NTP step or an operator setting the date: the wall clock jumps, nanoTime does not. */
  private void stepWallClock(Duration d) {
    now = now.plus(d);
  }

  @Test
  void wallClockStepsNeitherPromoteEarlyNorHoldBack() {
    look = threeAndTwo(80);
    tickAfter(Duration.ZERO);
    stepWallClock(Duration.ofMinutes(3));
    tickAfter(Duration.ofSeconds(1));
    assertTrue(applied.isEmpty(), "healthy for 1 s, not 3 minutes: " + applied);
    stepWallClock(Duration.ofMinutes(-10));
    tickAfter(Duration.ofSeconds(10));
    assertEquals(1, applied.size(), "healthy for 11 s of 10 whatever the wall clock did");
  }

  @Test
  void promotesOnlyAfterBothListenersStayedHealthyForTheStabilizationTime() {
    look = threeAndTwo(80);
    tickAfter(Duration.ZERO);
    tickAfter(Duration.ofSeconds(6));
    look = threeAndTwo(5_000);
    tickAfter(Duration.ofSeconds(1));
    look = threeAndTwo(80);
    tickAfter(Duration.ofSeconds(5));
    assertTrue(applied.isEmpty(), "n4 broke its healthy stretch: its window starts again");
    tickAfter(Duration.ofSeconds(9));
    assertTrue(applied.isEmpty(), "9 s since n4 was healthy again");
    tickAfter(Duration.ofSeconds(1));
    assertEquals(List.of(new AutopilotPlan.Change.Promote(List.of("n4", "n5"))), applied);
    assertTrue(autopilot.report().tracking());
  }

  @Test
  void makesOneChangeAtATimeAndForgetsWhenItNoLongerLeads() {
    look = threeAndTwo(80);
    tickAfter(Duration.ZERO);
    tickAfter(Duration.ofSeconds(11));
    tickAfter(Duration.ofSeconds(1));
    assertEquals(1, applied.size(), "the first change is still in flight");
    assertTrue(
        autopilot.report().plan().decision().contains("in progress"),
        autopilot.report().plan().decision());
    pending.complete(null);
    look = null;
    tickAfter(Duration.ofSeconds(1));
    assertFalse(autopilot.report().tracking());
    assertTrue(autopilot.lastAction().contains("promoting n4 and n5"), autopilot.lastAction());
    look = threeAndTwo(80);
    pending = new CompletableFuture<>();
    tickAfter(Duration.ofSeconds(1));
    tickAfter(Duration.ofSeconds(5));
    assertEquals(1, applied.size(), "a new leader term starts the stabilization window afresh");
  }
}
