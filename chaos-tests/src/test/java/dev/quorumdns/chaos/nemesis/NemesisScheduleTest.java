package dev.quorumdns.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.cluster.Grudge;
import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NemesisScheduleTest {
  private static final Duration[] HOLD = {Duration.ofMillis(20), Duration.ofMillis(40)};
  private static final Duration[] GAP = {Duration.ofMillis(5), Duration.ofMillis(15)};

  @Test
  void sameSeedSamePlanAndFaultsNeverOverlap() {
    List<FaultKind> kinds = List.of(FaultKind.values());
    NemesisSchedule a = NemesisSchedule.plan(99, kinds, Duration.ofSeconds(10), HOLD, GAP);
    assertEquals(a, NemesisSchedule.plan(99, kinds, Duration.ofSeconds(10), HOLD, GAP));
    assertNotEquals(
        a.faults(), NemesisSchedule.plan(100, kinds, Duration.ofSeconds(10), HOLD, GAP).faults());
    Duration previousEnd = Duration.ZERO;
    for (PlannedFault f : a.faults()) {
      assertTrue(f.at().compareTo(previousEnd) >= 0);
      previousEnd = f.at().plus(f.hold());
    }
    assertTrue(previousEnd.compareTo(Duration.ofSeconds(10)) <= 0);
    assertTrue(a.faults().size() > 150, "about 10 s / 40 ms faults: " + a.faults().size());
  }

  /** Records what the nemeses asked for, without any container. */
  private static final class RecordingControl implements ClusterControl {
    final List<String> calls = new ArrayList<>();
    Optional<String> leader = Optional.of("n2");
    int leaderlessLookups;
    boolean freezerFails;

    @Override
    public List<String> ids() {
      return List.of("n1", "n2", "n3");
    }

    @Override
    public Optional<String> leader() {
      if (leaderlessLookups > 0) {
        leaderlessLookups--;
        return Optional.empty();
      }
      return leader;
    }

    /** How many more readiness probes of n3 fail (it is still starting after a kill). */
    int n3NotReadyProbes;

    @Override
    public void kill(String id) {
      calls.add("kill " + id);
    }

    @Override
    public boolean ready(String id) {
      if (id.equals("n3") && n3NotReadyProbes > 0) {
        n3NotReadyProbes--;
        return false;
      }
      return true;
    }

    @Override
    public void start(String id) {
      calls.add("start " + id);
    }

    @Override
    public void freeze(String id) {
      calls.add("freeze " + id);
    }

    @Override
    public void thaw(String id) {
      calls.add("thaw " + id);
    }

    @Override
    public void pauseContainer(String id) {
      calls.add("pause " + id);
      if (freezerFails) {
        throw new IllegalStateException("OCI runtime pause failed: unable to freeze: unknown");
      }
    }

    @Override
    public void unpauseContainer(String id) {
      calls.add("unpause " + id);
    }

    @Override
    public void partition(Grudge grudge) {
      calls.add("partition " + grudge.drops());
    }

    @Override
    public void packetLoss(double p) {
      calls.add("loss " + p);
    }

    @Override
    public void healNetwork() {
      calls.add("heal");
    }

    @Override
    public void removeMember(String id) {
      calls.add("remove " + id);
    }

    @Override
    public void addMember(String id) {
      calls.add("add " + id);
    }
  }

  @Test
  void runnerInjectsHealsAndRecordsEveryFault() {
    RecordingControl control = new RecordingControl();
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    NemesisSchedule schedule =
        NemesisSchedule.plan(
            7,
            // The base nemeses, which this recording control serves; the combined ones have
            // CombinedNemesesTest, the clock and disk ones need a container
            // (ContainerHostFaultsTest,
            // HostFaultsPlumbingIT), the scripted ones AutopilotScenarioTest. With them all here
            // the
            // run waited on host faults the fake cannot do until the test timed out.
            List.copyOf(EnumSet.range(FaultKind.KILL_LEADER, FaultKind.MEMBER_CHANGE)),
            Duration.ofMillis(1500),
            HOLD,
            GAP);
    NemesisRunner.Outcome outcome =
        new NemesisRunner(control, Nemeses.all(0.3), recorder).run(schedule, () -> false);
    History history = recorder.snapshot();

    assertEquals(schedule.faults().size(), outcome.injected());
    assertEquals(outcome.injected(), history.faults().size());
    for (FaultInterval f : history.faults()) {
      assertTrue(f.endNanos() < Long.MAX_VALUE, "every fault healed: " + f);
      assertTrue(
          f.endNanos() - f.startNanos() >= HOLD[0].toNanos() - 1_000_000,
          "held for its time: " + f);
    }
    long kills = control.calls.stream().filter(c -> c.startsWith("kill")).count();
    long starts = control.calls.stream().filter(c -> c.startsWith("start")).count();
    assertEquals(kills, starts, "every killed node is started again");
    assertTrue(
        control.calls.contains("kill n2")
            || control.calls.contains("freeze n2")
            || control.calls.contains("pause n2"),
        "leader faults hit the leader: " + control.calls);
  }

  @Test
  void leaderFaultsWithoutALeaderAreSkippedNotFaked() {
    RecordingControl control = new RecordingControl();
    control.leader = Optional.empty();
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    NemesisSchedule schedule =
        NemesisSchedule.plan(3, List.of(FaultKind.KILL_LEADER), Duration.ofMillis(300), HOLD, GAP);
    NemesisRunner.Outcome outcome =
        new NemesisRunner(control, Nemeses.all(0.3), recorder, Duration.ofMillis(100))
            .run(schedule, () -> false);

    assertEquals(0, outcome.injected());
    assertEquals(schedule.faults().size(), outcome.skipped().size());
    assertTrue(outcome.skipped().get(0).contains("no leader known"), outcome.skipped().toString());
    assertTrue(control.calls.isEmpty());
  }

  @Test
  void aLeaderFaultDuringAnElectionWaitsForTheNewLeader() {
    RecordingControl control = new RecordingControl();
    control.leaderlessLookups = 3;
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    NemesisSchedule schedule =
        new NemesisSchedule(
            5, List.of(new PlannedFault(Duration.ZERO, FaultKind.KILL_LEADER, HOLD[0])));
    NemesisRunner.Outcome outcome =
        new NemesisRunner(control, Nemeses.all(0.3), recorder, Duration.ofSeconds(10))
            .run(schedule, () -> false);

    assertEquals(1, outcome.injected(), outcome.skipped().toString());
    assertEquals(List.of("kill n2", "start n2"), control.calls);
    assertEquals(0, control.leaderlessLookups);
    assertEquals(1, recorder.snapshot().faults().size());
  }

  /**
   * A kill of one node waits until every node answers its readiness probe: a node still starting
   * after the last kill would make it two of three (CI runs short-15819890, short-4473391).
   */
  @Test
  void aMinorityKillWaitsUntilTheLastKilledNodeIsBack() {
    for (FaultKind kind : List.of(FaultKind.KILL_LEADER, FaultKind.KILL_RANDOM)) {
      RecordingControl control = new RecordingControl();
      control.n3NotReadyProbes = 3;
      HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
      NemesisSchedule schedule =
          new NemesisSchedule(5, List.of(new PlannedFault(Duration.ZERO, kind, HOLD[0])));
      NemesisRunner.Outcome outcome =
          new NemesisRunner(control, Nemeses.all(0.3), recorder, Duration.ofSeconds(10))
              .run(schedule, () -> false);

      assertEquals(1, outcome.injected(), kind + ": " + outcome.skipped());
      assertEquals(0, control.n3NotReadyProbes, kind + " probed until n3 was back");
      assertEquals(2, control.calls.size(), kind + ": " + control.calls);

      RecordingControl neverBack = new RecordingControl();
      neverBack.n3NotReadyProbes = Integer.MAX_VALUE;
      NemesisRunner.Outcome skipped =
          new NemesisRunner(neverBack, Nemeses.all(0.3), recorder, Duration.ofMillis(300))
              .run(schedule, () -> false);
      assertEquals(0, skipped.injected(), kind.wire());
      assertTrue(skipped.skipped().get(0).contains("[n3] not ready yet"), skipped.toString());
      assertEquals(List.of(), neverBack.calls, kind.wire());
    }
  }

  @Test
  void aDockerPauseTheFreezerRefusesIsSkippedAndNothingStaysFrozen() {
    RecordingControl control = new RecordingControl();
    control.freezerFails = true;
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    Nemesis pauseLeader = Nemeses.all(0.3).get(FaultKind.PAUSE_LEADER);
    Nemesis.NotApplicable skipped = null;
    // The nemesis picks SIGSTOP or docker pause at random: draws until it picks docker pause.
    Random random = new Random(42);
    for (int i = 0; i < 64 && skipped == null; i++) {
      control.calls.clear();
      try {
        pauseLeader.inject(control, random).heal();
      } catch (Nemesis.NotApplicable e) {
        skipped = e;
      }
    }
    assertTrue(skipped != null, "docker pause was never picked: " + control.calls);
    assertTrue(skipped.getMessage().contains("unable to freeze"), skipped.getMessage());
    assertEquals(List.of("pause n2", "unpause n2"), control.calls);
    assertEquals(0, recorder.snapshot().faults().size());
  }
}
