package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

/**
 * A member filled from the Raft log (nothing purged, so no snapshot is sent) answers SERVFAIL,
 * never NXDOMAIN, until it holds what the leader had committed: before the fill hold, it counted as
 * loaded after its first entry and denied the names that entries still on the way create (a sampler
 * on the last-registered name saw NXDOMAIN).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LogFillIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int SERVICES = 600;

  @RegisterExtension static final TestCluster CLUSTER = new TestCluster("log-fill", 190, 3);

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  @Test
  void aMemberFilledFromTheLogNeverDeniesARegisteredName() throws Exception {
    CLUSTER.startAll();
    NodeProcess leader = CLUSTER.awaitLeader(WAIT);
    // Many entries, written by a few clients at once so this takes seconds, not minutes.
    ExecutorService writers = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int first = w;
        done.add(
            writers.submit(
                () -> {
                  for (int i = first; i < SERVICES; i += 8) {
                    Writes.put(leader, "fill", "s" + i, "{}");
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      writers.shutdownNow();
    }
    Writes.put(leader, "fill", "last", "{}");
    Map<String, String> expected = TestCluster.vips(leader);
    String probe = "last.fill.mesh.internal";
    String filled = "NOERROR " + expected.get("fill/last").split(",")[0];

    NodeProcess joiner = CLUSTER.addJoiner();
    joiner.start();
    Map<String, Integer> answers;
    try (DnsSampler sampler = new DnsSampler(joiner, probe, Type.A, 1)) {
      answers = sampler.answers();
      Await.until(WAIT, "the joiner's API", () -> joiner.cluster() != null);
      NodeProcess.Reply added =
          leader.call(
              "POST",
              "/v1/cluster/members",
              "{\"id\":\"" + joiner.id() + "\",\"raft\":\"" + joiner.ip() + ":9053\"}");
      assertEquals(200, added.status(), added.body().toString());
      Await.until(WAIT, "the joiner to answer the VIP", () -> answers.containsKey(filled));
    }
    System.out.println("the joiner's answers for " + probe + " until filled: " + answers);
    Set<String> allowed = Set.of("SERVFAIL", filled, DnsSampler.NOT_LISTENING);
    assertTrue(
        allowed.containsAll(answers.keySet()),
        "the joiner answered " + answers + "; only " + allowed + " are allowed");
    assertTrue(answers.containsKey("SERVFAIL"), "sampled while not filled: " + answers);
    assertFalse(
        Files.readString(joiner.log()).contains("installed snapshot"),
        "this test is about a fill from the log; the joiner got a snapshot:\n" + joiner.tail(40));
    Await.until(
        WAIT, "the joiner to hold every service", () -> expected.equals(TestCluster.vips(joiner)));
  }
}
