package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener removed from the cluster stops by itself, as a removed voter does, instead of serving
 * its replica, no longer updated, for ever. Ratis tells a removed voter when it campaigns; a
 * listener never campaigns, so the node asks the leader once it has heard nothing for a while
 * (chaos run short-706500: a listener removed right after its demotion kept running).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ListenerRemovalIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension static final TestCluster CLUSTER = new TestCluster("listener-removal", 194, 3);

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  @Test
  void aRemovedListenerStopsByItself() throws Exception {
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    Writes.put(leader, "team", "web", "{}");
    NodeProcess listener = CLUSTER.addJoiner("--listener");
    listener.start();
    Await.until(WAIT, "the joiner's API", () -> listener.cluster() != null);
    NodeProcess.Reply added =
        leader.call(
            "POST",
            "/v1/cluster/members",
            "{\"id\":\""
                + listener.id()
                + "\",\"raft\":\""
                + listener.ip()
                + ":9053\",\"role\":\"listener\"}");
    assertEquals(200, added.status(), added.body().toString());
    Await.until(
        WAIT,
        "the listener to hold team/web",
        () -> TestCluster.vips(listener).containsKey("team/web"));

    NodeProcess.Reply removed = leader.call("DELETE", "/v1/cluster/members/" + listener.id(), null);
    assertEquals(200, removed.status(), removed.body().toString());
    assertEquals(
        0,
        listener.awaitExit(WAIT),
        "the removed listener stops by itself with exit code 0; its log:\n" + listener.tail(20));
  }
}
