package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.registry.state.Snapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three node processes given only {@code --bootstrap-expect 3 --retry-join} and started in a random
 * order with random delays (and, in some rounds, one of them killed and restarted while they form)
 * always form exactly one cluster: one leader, the same three voters on every node, the same
 * founders on every disk. The rounds are seeded; {@code -Dquorumdns.it.formations=N} sets how many
 * (3 by default; the long run uses 20) and {@code -Dquorumdns.it.formation.seed=S} replays a run.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ClusterFormationIT {
  private static final int ROUNDS = Integer.getInteger("quorumdns.it.formations", 3);
  private static final long SEED =
      Long.getLong("quorumdns.it.formation.seed", System.currentTimeMillis());
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void threeNodesStartedTogetherFormExactlyOneCluster() throws Exception {
    System.out.println("ClusterFormationIT: " + ROUNDS + " rounds, seed " + SEED);
    Random seeds = new Random(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      long seed = seeds.nextLong();
      List<NodeProcess> nodes = new ArrayList<>();
      ScheduledExecutorService starts = Executors.newScheduledThreadPool(2);
      try {
        formOnce(round, seed, nodes, starts);
      } catch (AssertionError | RuntimeException e) {
        for (NodeProcess n : nodes) {
          System.err.println(
              "----- " + n.id() + " (" + n.log() + "), last 80 lines -----\n" + n.tail(80));
        }
        throw new AssertionError(
            "round "
                + round
                + " failed (run seed "
                + SEED
                + ", round seed "
                + seed
                + "): "
                + e.getMessage(),
            e);
      } finally {
        starts.shutdownNow();
        nodes.forEach(NodeProcess::kill9);
      }
    }
  }

  private static void formOnce(
      int round, long seed, List<NodeProcess> nodes, ScheduledExecutorService starts)
      throws Exception {
    Random rnd = new Random(seed);
    int subnet = 140 + round % 4;
    Path base = Path.of("target", "it", "formation", "round-" + round).toAbsolutePath();
    Snapshots.deleteTree(base);
    List<String> addresses = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      addresses.add("127.0." + subnet + "." + (10 + i));
    }
    for (int i = 1; i <= 3; i++) {
      List<String> mine = new ArrayList<>(addresses);
      Collections.shuffle(mine, rnd);
      String ip = addresses.get(i - 1);
      nodes.add(
          new NodeProcess(
              "n" + i,
              ip,
              base.resolve("n" + i),
              List.of(
                  "--id",
                  "n" + i,
                  "--data-dir",
                  base.resolve("n" + i).toString(),
                  "--bind",
                  ip,
                  "--bootstrap-expect",
                  "3",
                  "--retry-join",
                  String.join(",", mine))));
    }
    List<NodeProcess> order = new ArrayList<>(nodes);
    Collections.shuffle(order, rnd);
    long at = 0;
    StringBuilder plan = new StringBuilder();
    for (NodeProcess n : order) {
      at += rnd.nextInt(1500);
      starts.schedule(n::start, at, TimeUnit.MILLISECONDS);
      plan.append(n.id()).append(" at ").append(at).append(" ms; ");
    }
    if (rnd.nextBoolean()) {
      NodeProcess victim = order.get(rnd.nextInt(order.size()));
      long restartAt = at + rnd.nextInt(4000);
      starts.schedule(
          () -> {
            victim.kill9();
            victim.start();
          },
          restartAt,
          TimeUnit.MILLISECONDS);
      plan.append(victim.id()).append(" killed and restarted at ").append(restartAt).append(" ms");
    }
    System.out.println("ClusterFormationIT round " + round + " (seed " + seed + "): " + plan);

    String leader =
        Await.value(
            WAIT,
            "one leader and the voters n1, n2, n3 on every node",
            () -> {
              String agreed = null;
              for (NodeProcess n : nodes) {
                JsonNode c = n.cluster();
                if (c == null
                    || !c.path("leader").isTextual()
                    || !voters(c).equals("[n1, n2, n3]")
                    || (agreed != null && !agreed.equals(c.get("leader").asText()))) {
                  return null;
                }
                agreed = c.get("leader").asText();
              }
              return agreed;
            });
    JsonNode founders = null;
    for (NodeProcess n : nodes) {
      JsonNode marker = JSON.readTree(n.dir().resolve("formation.json").toFile());
      assertEquals("founded", marker.path("state").asText(), n.id() + ": " + marker);
      if (founders == null) {
        founders = marker.get("founders");
      }
      assertEquals(founders, marker.get("founders"), n.id() + " founded another set");
    }
    NodeProcess writer = nodes.get(rnd.nextInt(3));
    Await.until(
        WAIT,
        "a write through " + writer.id() + " (leader " + leader + ")",
        () -> writer.call("PUT", "/v1/services/formation/round" + round, "{}").status() == 201);
    for (NodeProcess n : nodes) {
      Await.until(
          WAIT,
          n.id() + " to hold the write",
          () ->
              n.call("GET", "/v1/services/formation/round" + round + "?stale", null).status()
                  == 200);
    }
  }

  private static String voters(JsonNode cluster) {
    TreeSet<String> ids = new TreeSet<>();
    for (JsonNode m : cluster.path("members")) {
      String role = m.path("role").asText();
      if (role.equals("listener")) {
        return "listener " + m.path("id").asText();
      }
      ids.add(m.path("id").asText());
    }
    return ids.toString();
  }
}
