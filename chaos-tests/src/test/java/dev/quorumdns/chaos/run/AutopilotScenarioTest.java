package dev.quorumdns.chaos.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AutopilotScenarioTest {
  @Test
  void newNodesTakeTheFirstUnusedIds() {
    assertEquals(List.of("n4", "n5"), AutopilotScenario.newIds(List.of("n1", "n2", "n3"), 2));
    assertEquals(List.of("n2", "n4"), AutopilotScenario.newIds(List.of("n1", "n3"), 2));
  }
}
