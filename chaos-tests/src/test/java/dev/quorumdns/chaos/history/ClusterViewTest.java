package dev.quorumdns.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  @Test
  void encodesAndParsesBack() {
    ClusterView v =
        new ClusterView(
            "n1",
            7,
            List.of(
                new ClusterView.Member("n1", true, null, null),
                new ClusterView.Member("n4", false, false, 2300L),
                new ClusterView.Member("n5", true, true, 12L)));
    String s = v.encode();
    assertEquals(
        "leader=n1;term=7;members=n1:voter:?:-,n4:listener:unhealthy:2300,n5:voter:healthy:12", s);
    assertEquals(v, ClusterView.parse(s));
    assertEquals(List.of("n1", "n5"), v.voters());
    assertEquals(List.of("n4"), v.listeners());
    assertTrue(v.hasHealth());
    assertTrue(v.healthy(v.member("n1").orElseThrow()));
    assertFalse(v.healthy(v.member("n4").orElseThrow()));
  }

  @Test
  void noLeaderAndNoMembersParse() {
    ClusterView v = ClusterView.parse("leader=;term=0;members=");
    assertEquals(new ClusterView(null, 0, List.of()), v);
    assertFalse(v.hasHealth());
  }

  @Test
  void garbageIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ClusterView.parse("leader=n1;members=n1"));
    assertThrows(IllegalArgumentException.class, () -> ClusterView.parse("nonsense"));
  }
}
