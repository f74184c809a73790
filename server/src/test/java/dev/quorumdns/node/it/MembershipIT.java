package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

/**
 * Adding a member started with {@code --join} (filled by a snapshot from the leader, the log purged
 * before) and removing one, under real Raft.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MembershipIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster(
          "membership", 3, 3, "--snapshot-threshold", "20", "--raft-segment-size", "16KB");

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

  /**
   * The lowest index still in {@code n}'s Raft log segments (0 until the first segment was purged).
   */
  private static long firstLogIndex(NodeProcess n) throws IOException {
    Pattern segment = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");
    try (Stream<Path> files = Files.walk(n.dir().resolve("raft"))) {
      return files
          .filter(f -> f.getParent().getFileName().toString().equals("current"))
          .map(f -> segment.matcher(f.getFileName().toString()))
          .filter(Matcher::matches)
          .mapToLong(m -> Long.parseLong(m.group(1)))
          .min()
          .orElseThrow(() -> new AssertionError(n.id() + " has no Raft log segment"));
    }
  }

  /** A body of about 1 KB, so that a few dozen writes fill a 16 KB log segment. */
  private static String paddedBody(int i) {
    StringBuilder labels = new StringBuilder();
    for (int l = 0; l < 16; l++) {
      labels
          .append(l == 0 ? "" : ",")
          .append("\"pad")
          .append(l)
          .append("\":\"")
          .append("x".repeat(48))
          .append(i)
          .append('"');
    }
    return "{\"labels\":{" + labels + "}}";
  }

  /**
   * The log is purged before the joiner comes (so the leader must send it a snapshot); from its
   * start until it holds every service, the joiner answers a registered name SERVFAIL or with its
   * VIP, never NXDOMAIN; the member removed stops by itself with exit code 0.
   */
  @Test
  void aJoiningNodeIsFilledAndARemovedOneLeaves() throws Exception {
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    for (int i = 0; i < 40; i++) {
      String name = "s" + i;
      Writes.put(leader, "team", name, paddedBody(i));
    }
    Map<String, String> expected = TestCluster.vips(leader);
    for (NodeProcess n : CLUSTER.alive()) {
      NodeProcess.Reply snap = n.call("POST", "/v1/cluster/snapshot", null);
      assertEquals(200, snap.status(), n.id() + ": " + snap.body());
    }
    for (NodeProcess n : CLUSTER.alive()) {
      Await.until(
          WAIT,
          n.id() + " purged the start of its log",
          () -> {
            try {
              return firstLogIndex(n) > 0;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }

    NodeProcess joiner = CLUSTER.addJoiner();
    String probe = "s7.team.mesh.internal";
    String filled = "NOERROR " + expected.get("team/s7").split(",")[0];
    joiner.start();
    Map<String, Integer> answers;
    try (DnsSampler sampler = new DnsSampler(joiner, probe, Type.A, 5)) {
      answers = sampler.answers();
      Await.until(WAIT, "the joiner's API", () -> joiner.cluster() != null);
      Await.until(
          WAIT,
          "the joiner to answer SERVFAIL while it holds nothing",
          () -> answers.containsKey("SERVFAIL"));
      assertEquals(
          503, joiner.call("GET", "/readyz", null).status(), "not ready before it is a member");
      NodeProcess.Reply added =
          leader.call(
              "POST",
              "/v1/cluster/members",
              "{\"id\":\""
                  + joiner.id()
                  + "\",\"raft\":\""
                  + joiner.ip()
                  + ":9053\",\"role\":\"voter\"}");
      assertEquals(200, added.status(), added.body().toString());
      assertEquals(
          409,
          leader
              .call(
                  "POST",
                  "/v1/cluster/members",
                  "{\"id\":\"" + joiner.id() + "\",\"raft\":\"" + joiner.ip() + ":9053\"}")
              .status(),
          "adding twice");
      Await.until(
          WAIT,
          "the joiner to hold every service",
          () -> expected.equals(TestCluster.vips(joiner)));
      Await.until(WAIT, "the joiner to answer the VIP", () -> answers.containsKey(filled));
    }
    System.out.println(
        "the joiner's answers for " + probe + " from its start until filled: " + answers);
    Set<String> allowed = Set.of("SERVFAIL", filled, DnsSampler.NOT_LISTENING);
    assertTrue(
        allowed.containsAll(answers.keySet()),
        "the joiner answered "
            + answers
            + "; only "
            + allowed
            + " are allowed (never NXDOMAIN before it is filled)");
    assertTrue(
        Files.readString(joiner.log()).contains("installed snapshot"),
        "the joiner should have been filled by a snapshot (the log was purged); its log:\n"
            + joiner.tail(40));
    Await.until(
        WAIT, "the joiner to be ready", () -> joiner.call("GET", "/readyz", null).status() == 200);

    NodeProcess n3 = CLUSTER.node("n3");
    NodeProcess.Reply removed = leader.call("DELETE", "/v1/cluster/members/n3", null);
    assertEquals(200, removed.status(), removed.body().toString());
    assertFalse(isMember(removed.body(), "n3"), "n3 still listed: " + removed.body());
    assertEquals(
        404, leader.call("DELETE", "/v1/cluster/members/n3", null).status(), "removing twice");
    assertEquals(0, n3.awaitExit(WAIT), "the removed node stops by itself with exit code 0");

    NodeProcess now = CLUSTER.awaitLeader(WAIT);
    Writes.put(now, "team", "after-change", "{}");
    Await.until(
        WAIT,
        "the joiner to see the write",
        () -> joiner.call("GET", "/v1/services/team/after-change?stale", null).status() == 200);
    JsonNode status = joiner.cluster();
    assertEquals(3, status.get("members").size(), status.toString());
  }
}
