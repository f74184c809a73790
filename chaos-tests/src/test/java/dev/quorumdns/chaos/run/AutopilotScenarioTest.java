package dev.quorumdns.chaos.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AutopilotScenarioTest {
  @Test
  void newNodesTakeTheFirstUnusedIds() {
    assertEquals(List.of("n4", "n5"), AutopilotScenario.newIds(List.of("n1", "n2", "n3"), 2));
    assertEquals(List.of("n2", "n4"), AutopilotScenario.newIds(List.of("n1", "n3"), 2));
  }

  /** CI rehearsal short-4716435: n2, removed by the autopilot, stopped; the scenario waited on. */
  @Test
  void aFounderWhoseLogGainedAStopAsRemovedAndWhoseProcessIsGoneIsAddedBack() {
    Map<String, Integer> seen = Map.of("n1", 0, "n2", 1, "n3", 0);
    Set<String> alive = Set.of("n1", "n3");
    assertEquals(
        List.of("n2"),
        AutopilotScenario.stoppedAsRemoved(
            seen, Map.of("n1", 0, "n2", 2, "n3", 0), alive::contains));
    assertEquals(
        List.of(),
        AutopilotScenario.stoppedAsRemoved(
            seen, Map.of("n1", 0, "n2", 1, "n3", 0), alive::contains),
        "an old removal, already handled, is not one again");
    assertEquals(
        List.of(),
        AutopilotScenario.stoppedAsRemoved(seen, Map.of("n1", 0, "n2", 2, "n3", 0), id -> true),
        "a node still running (stopping, or already started again) is left alone");
    assertEquals(
        List.of(),
        AutopilotScenario.stoppedAsRemoved(seen, Map.of("n1", -1, "n2", -1, "n3", -1), id -> false),
        "unreadable logs are no removal");
  }
}
