package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Adding a member started with {@code --join} (filled by the leader) and removing one, under real Raft. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MembershipIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestCluster CLUSTER = new TestCluster("membership", 3, 3, "--snapshot-threshold", "20",
      "--raft-segment-size", "16KB");

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static boolean isMember(JsonNode cluster, String id) {
    for (JsonNode m : cluster.path("members")) {
      if (m.path("id").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aJoiningNodeIsFilledAndARemovedOneLeaves() {
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    for (int i = 0; i < 30; i++) {
      String name = "s" + i;
      Writes.put(leader, "team", name, "{}");
    }
    Map<String, String> expected = TestCluster.vips(leader);

    NodeProcess joiner = CLUSTER.addJoiner();
    joiner.start();
    Await.until(WAIT, "the joiner's API", () -> joiner.cluster() != null);
    assertEquals(503, joiner.call("GET", "/readyz", null).status(), "not ready before it is a member");
    NodeProcess.Reply added = leader.call("POST", "/v1/cluster/members",
        "{\"id\":\"" + joiner.id() + "\",\"raft\":\"" + joiner.ip() + ":9053\",\"role\":\"voter\"}");
    assertEquals(200, added.status(), added.body().toString());
    assertEquals(409, leader.call("POST", "/v1/cluster/members",
        "{\"id\":\"" + joiner.id() + "\",\"raft\":\"" + joiner.ip() + ":9053\"}").status(), "adding twice");
    Await.until(WAIT, "the joiner to hold every service", () -> expected.equals(TestCluster.vips(joiner)));
    Await.until(WAIT, "the joiner to be ready", () -> joiner.call("GET", "/readyz", null).status() == 200);

    NodeProcess.Reply removed = leader.call("DELETE", "/v1/cluster/members/n3", null);
    assertEquals(200, removed.status(), removed.body().toString());
    assertFalse(isMember(removed.body(), "n3"), "n3 still listed: " + removed.body());
    assertEquals(404, leader.call("DELETE", "/v1/cluster/members/n3", null).status(), "removing twice");
    CLUSTER.node("n3").stop();

    NodeProcess now = CLUSTER.awaitLeader(WAIT);
    Writes.put(now, "team", "after-change", "{}");
    Await.until(WAIT, "the joiner to see the write", () ->
        joiner.call("GET", "/v1/services/team/after-change?stale", null).status() == 200);
    JsonNode status = joiner.cluster();
    assertEquals(3, status.get("members").size(), status.toString());
  }
}
