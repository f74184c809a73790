package dev.quorumdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The keys of cluster formation, autopilot and the metrics listener: defaults, and refusals naming
 * the key.
 */
class DiscoveryConfigTest {
  private static final List<String> BASE =
      List.of("--id", "n1", "--data-dir", "/tmp/q", "--bind", "10.0.0.1");

  private static NodeConfig load(String... extra) {
    List<String> args = new ArrayList<>(BASE);
    args.addAll(List.of(extra));
    return ConfigLoader.load(args, Map.of());
  }

  private static String refusedKey(String... extra) {
    return assertThrows(ValidationException.class, () -> load(extra)).field();
  }

  @Test
  void bootstrapExpectWithRetryJoinReplacesPeers() {
    NodeConfig c =
        load(
            "--bootstrap-expect",
            "3",
            "--retry-join",
            "10.0.0.2,peers.example",
            "--retry-join",
            "_api._tcp.peers.example");
    assertTrue(c.discovery().enabled());
    assertEquals(3, c.discovery().bootstrapExpect());
    assertEquals(
        List.of("10.0.0.2", "peers.example", "_api._tcp.peers.example"), c.discovery().retryJoin());
    assertEquals(new HostPort("10.0.0.1", 9053), c.discovery().advertiseRaft());
    assertTrue(c.peers().isEmpty());
    assertFalse(c.join());
  }

  @Test
  void advertiseRaftTakesAStableNameWithOrWithoutAPort() {
    assertEquals(
        new HostPort("quorumdns-0.quorumdns-peers", 9053),
        load("--retry-join", "x", "--advertise-raft", "quorumdns-0.quorumdns-peers")
            .discovery()
            .advertiseRaft());
    assertEquals(
        new HostPort("n1.example", 7000),
        load("--retry-join", "x", "--advertise-raft", "n1.example:7000")
            .discovery()
            .advertiseRaft());
    assertEquals(
        new HostPort("fd00::1", 7000),
        load("--retry-join", "x", "--advertise-raft", "[fd00::1]:7000")
            .discovery()
            .advertiseRaft());
    assertEquals(
        new HostPort("fd00::1", 9053),
        load("--retry-join", "x", "--advertise-raft", "fd00::1").discovery().advertiseRaft());
    assertEquals(
        "advertise-raft",
        refusedKey("--peers", "n1=10.0.0.1:9053", "--advertise-raft", "n1.example"));
  }

  @Test
  void refusesContradictionsNamingTheKey() {
    assertEquals(
        "bootstrap-expect",
        refusedKey("--bootstrap-expect", "3", "--retry-join", "x", "--peers", "n1=10.0.0.1:9053"));
    assertEquals("join", refusedKey("--retry-join", "x", "--join"));
    assertEquals("retry-join", refusedKey("--bootstrap-expect", "3"));
    assertEquals("bootstrap-expect", refusedKey("--bootstrap-expect", "10", "--retry-join", "x"));
    assertEquals("peers", refusedKey());
  }

  @Test
  void bootstrapExpectOneNeedsNoOtherNode() {
    NodeConfig c = load("--bootstrap-expect", "1");
    assertTrue(c.discovery().enabled());
    assertTrue(c.discovery().retryJoin().isEmpty());
  }

  @Test
  void autopilotDefaultsAndLimits() {
    NodeConfig c = load("--bootstrap-expect", "1");
    assertEquals(
        new AutopilotSettings(Duration.ofSeconds(10), 5, Duration.ofMinutes(5), true),
        c.autopilot());
    assertFalse(
        load("--peers", "n1=10.0.0.1:9053").autopilot().acts(),
        "static members: the autopilot watches");
    assertTrue(
        load("--peers", "n1=10.0.0.1:9053", "--autopilot-dead-after", "10m").autopilot().acts());
    AutopilotSettings s =
        load(
                "--bootstrap-expect",
                "1",
                "--autopilot-stabilization",
                "2s",
                "--autopilot-max-voters",
                "3",
                "--autopilot-dead-after",
                "0")
            .autopilot();
    assertEquals(Duration.ofSeconds(2), s.stabilization());
    assertEquals(3, s.maxVoters());
    assertFalse(s.removesDead());
    assertEquals(
        "autopilot-max-voters",
        refusedKey("--bootstrap-expect", "1", "--autopilot-max-voters", "4"));
    assertEquals(
        "autopilot-dead-after",
        refusedKey("--bootstrap-expect", "1", "--autopilot-dead-after", "500ms"));
    assertEquals(
        "autopilot-stabilization",
        refusedKey("--bootstrap-expect", "1", "--autopilot-stabilization", "soon"));
  }

  @Test
  void metricsAddrIsAnAddressAndPort() {
    assertNull(load("--bootstrap-expect", "1").metricsAddr());
    assertEquals(
        new HostPort("0.0.0.0", 8054),
        load("--bootstrap-expect", "1", "--metrics-addr", "0.0.0.0:8054").metricsAddr());
    assertEquals("metrics-addr", refusedKey("--bootstrap-expect", "1", "--metrics-addr", "8054"));
  }
}
