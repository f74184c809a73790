package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

/**
 * A live node's /metrics carries every meter of the README's Metrics table, with help text;
 * counters move.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MetricsIT {
  @RegisterExtension static final TestCluster CLUSTER = new TestCluster("metrics", 5, 1);

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static double sample(String metrics, String prefix) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void everyDesignedMeterIsExportedAndQueriesMoveTheCounters() {
    CLUSTER.startAll();
    NodeProcess n = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    Writes.put(n, "m", "web", "{}");
    n.resolve(
        "web.m.mesh.internal", Type.A); // per-type query counters appear with their first query
    String before = n.text("/metrics");
    for (String name :
        List.of(
            "quorumdns_dns_queries_total",
            "quorumdns_dns_latency_seconds_bucket",
            "quorumdns_dns_truncated_total",
            "quorumdns_dns_malformed_total",
            "quorumdns_registry_services",
            "quorumdns_vip_pool_used",
            "quorumdns_vip_pool_capacity",
            "quorumdns_raft_role",
            "quorumdns_raft_term",
            "quorumdns_raft_leader_changes_total",
            "quorumdns_raft_commit_index",
            "quorumdns_raft_applied_index",
            "quorumdns_write_latency_seconds_bucket",
            "quorumdns_api_requests_seconds_count",
            "quorumdns_watch_streams",
            "quorumdns_watch_blocking_reads",
            "quorumdns_watch_dropped_total",
            "jvm_memory_used_bytes")) {
      assertTrue(before.contains("\n" + name), name + " missing from /metrics");
    }
    assertTrue(before.contains("# HELP quorumdns_dns_queries_total"), "help text");
    assertTrue(!before.contains("web.m.mesh"), "tags never carry query names");
    double q0 =
        sample(
            before, "quorumdns_dns_queries_total{qtype=\"A\",rcode=\"NOERROR\",transport=\"udp\"}");
    for (int i = 0; i < 25; i++) {
      n.resolve("web.m.mesh.internal", Type.A);
    }
    String after = n.text("/metrics");
    double q1 =
        sample(
            after, "quorumdns_dns_queries_total{qtype=\"A\",rcode=\"NOERROR\",transport=\"udp\"}");
    assertTrue(q1 >= q0 + 25, "A/NOERROR/udp moved from " + q0 + " to " + q1);
    assertTrue(sample(after, "quorumdns_registry_services") >= 1, "registry size");
  }

  /**
   * Nothing changes in a running cluster, so the NS answer stays cached however long one waits: the
   * membership path stores a voter set only when the members changed (it used to store a new one
   * every second, and every cached NS answer was dropped with it).
   */
  @Test
  void aCachedNsAnswerStaysCachedWhileTheMembersDoNotChange() {
    CLUSTER.startAll();
    NodeProcess n = CLUSTER.awaitLeader(Duration.ofSeconds(60));
    CLUSTER.awaitNodeRecords(n, Duration.ofSeconds(30));
    Await.until(
        Duration.ofSeconds(30),
        "an NS answer with the member",
        () -> n.resolve("mesh.internal", Type.NS).equals("NOERROR n1.node.mesh.internal."));
    String before = n.text("/metrics");
    double uptime = sample(before, "process_uptime_seconds");
    double misses = sample(before, "quorumdns_dns_cache_total{result=\"miss\"}");
    Await.until(
        Duration.ofSeconds(30),
        "the node's uptime to pass " + (uptime + 3) + " s",
        () -> sample(n.text("/metrics"), "process_uptime_seconds") >= uptime + 3);
    for (int i = 0; i < 5; i++) {
      assertEquals("NOERROR n1.node.mesh.internal.", n.resolve("mesh.internal", Type.NS));
    }
    String after = n.text("/metrics");
    assertEquals(
        misses,
        sample(after, "quorumdns_dns_cache_total{result=\"miss\"}"),
        "every NS query after the wait was a cache hit");
  }
}
