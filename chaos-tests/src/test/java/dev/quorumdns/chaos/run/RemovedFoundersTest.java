package dev.quorumdns.chaos.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RemovedFoundersTest {
  private static final String REMOVED_RUN =
      """
      2026-12-07T16:22:41.101Z INFO  [n2] ServerMain: quorumdns 0.1.0-SNAPSHOT starting node n2
      2026-12-07T16:22:52.918Z INFO  [n2] Node: node n2 started: dns 0.0.0.0:53535
      2026-12-07T16:22:58.583Z WARN  [n2] Node: this node was removed from the cluster (its Raft \
      division closed and the leader's configuration does not list it); stopping.
      2026-12-07T16:22:59.366Z INFO  [n2] DnsServer: [n2] DNS stopped
      2026-12-07T16:22:59.370Z INFO  [n2] Node: node n2 stopped
      """;

  /** Landing CI short-11641090: n2, removed by the autopilot during the kill scenario, stopped. */
  @Test
  void aFounderWhoseLatestRunStoppedAsRemovedAndWhoseProcessIsGoneIsAddedBack() {
    assertTrue(RemovedFounders.stoppedAsRemoved(REMOVED_RUN, () -> false));
  }

  @Test
  void aNodeStillRunningIsLeftAloneAndItsProcessIsAskedOnlyAfterARemoval() {
    AtomicInteger asked = new AtomicInteger();
    assertFalse(
        RemovedFounders.stoppedAsRemoved(REMOVED_RUN, () -> asked.incrementAndGet() > 0),
        "stopping, or already started again by someone else");
    assertFalse(
        RemovedFounders.stoppedAsRemoved(
            "2026-12-07T16:22:41.101Z INFO  [n2] ServerMain: starting node n2\n",
            () -> asked.incrementAndGet() < 0),
        "killed, not removed: the nemesis starts it again");
    assertTrue(asked.get() == 1, "the process was looked at only for the removed run");
  }

  @Test
  void aRemovalInAnEarlierRunSinceAddedBackIsNotOne() {
    String addedBack =
        REMOVED_RUN
            + "2026-12-07T16:23:30.000Z INFO  [n2] ServerMain: quorumdns starting node n2\n"
            + "2026-12-07T16:23:31.000Z INFO  [n2] DnsServer: [n2] DNS listening\n";
    assertFalse(RemovedFounders.stoppedAsRemoved(addedBack, () -> false));
  }

  @Test
  void noLogIsNoRemoval() {
    assertFalse(RemovedFounders.stoppedAsRemoved(null, () -> false));
    assertFalse(RemovedFounders.stoppedAsRemoved("", () -> false));
  }
}
