package dev.quorumdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.history.Retention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final List<String> BASE =
      List.of(
          "--id",
          "n1",
          "--data-dir",
          "/tmp/q",
          "--peers",
          "n1=127.0.0.11:9053,n2=127.0.0.12:9053,n3=127.0.0.13:9053");

  private static NodeConfig load(List<String> extra, Map<String, String> env) {
    List<String> args = new ArrayList<>(BASE);
    args.addAll(extra);
    return ConfigLoader.load(args, env);
  }

  @Test
  void defaultsFollowTheDesign() {
    NodeConfig c = load(List.of(), Map.of());
    assertEquals(53535, c.dnsPort());
    assertEquals(8053, c.apiPort());
    assertEquals(9053, c.raftPort());
    assertEquals("mesh.internal", c.domain());
    assertEquals("240.0.0.0/4", c.vip4Pool().cidr());
    assertEquals("fd00:fd00::/64", c.vip6Pool().cidr());
    assertEquals(Duration.ofMinutes(10), c.vipHoldDown());
    assertEquals(60, c.dnsTtl());
    assertEquals(30, c.dnsNegativeTtl());
    assertEquals(
        "127.0.0.11",
        c.advertise().getHostAddress(),
        "advertise defaults to this node's peer entry");
    assertEquals(Path.of("/tmp/q/raft"), c.raftDir());
    assertEquals(Path.of("/tmp/q/state"), c.stateDir());
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws IOException {
    Path yaml = dir.resolve("node.yaml");
    Files.writeString(
        yaml,
        """
        domain: file.example
        dns-ttl: 20
        api-port: 1111
        upstream: [ "127.0.0.53:53" ]
        """);
    NodeConfig c =
        load(
            List.of("--config", yaml.toString(), "--api-port", "3333"),
            Map.of("QUORUMDNS_API_PORT", "2222", "QUORUMDNS_DNS_TTL", "25"));
    assertEquals("file.example", c.domain());
    assertEquals(25, c.dnsTtl());
    assertEquals(3333, c.apiPort());
    assertEquals(1, c.upstreams().size());
  }

  @Test
  void aWholeNodeCanComeFromYamlWithPeersAsAMap(@TempDir Path dir) throws IOException {
    Path yaml = dir.resolve("node.yaml");
    Files.writeString(
        yaml,
        """
        id: b
        data-dir: /var/lib/quorumdns
        peers:
          a: 10.0.0.1:9053
          b: 10.0.0.2:9053
          c: 10.0.0.3:9053
        vip6-cidr: ""
        vip-hold-down: 5m
        """);
    NodeConfig c = ConfigLoader.load(List.of("--config", yaml.toString()), Map.of());
    assertEquals("b", c.id());
    assertEquals(3, c.peers().size());
    assertEquals("10.0.0.2", c.advertise().getHostAddress());
    assertNull(c.vip6Pool(), "an empty vip6-cidr disables AAAA");
    assertEquals(Duration.ofMinutes(5), c.vipHoldDown());
  }

  @ParameterizedTest(name = "{0} {1} -> error naming {2}")
  @CsvSource({
    "--dns-port, 0, dns-port",
    "--dns-port, http, dns-port",
    "--api-port, 70000, api-port",
    "--domain, bad_domain.internal, domain",
    "--vip-cidr, 240.0.0.1/4, vip-cidr",
    "--vip-cidr, 240.0.0.0/31, vip-cidr",
    "--vip6-cidr, fd00::/48, vip6-cidr",
    "--vip-hold-down, 90s, vip-hold-down",
    "--vip-hold-down, soon, vip-hold-down",
    "--election-timeout, 10ms, election-timeout",
    "--upstream, 1.2.3, upstream",
    "--raft-segment-size, 1KB, raft-segment-size",
    "--bind, localhost6, bind",
    "--nonsense, 1, nonsense",
  })
  void badValuesNameTheKey(String flag, String value, String key) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> load(List.of(flag, value), Map.of()));
    assertEquals(key, e.field(), e.getMessage());
  }

  @Test
  void membershipMistakesAreCaught() {
    assertEquals(
        "id",
        assertThrows(
                ValidationException.class,
                () -> ConfigLoader.load(List.of("--data-dir", "/tmp/q"), Map.of()))
            .field());
    assertEquals(
        "peers",
        assertThrows(
                ValidationException.class,
                () ->
                    ConfigLoader.load(
                        List.of(
                            "--id", "n9", "--data-dir", "/tmp/q", "--peers", "n1=127.0.0.11:9053"),
                        Map.of()))
            .field());
    assertEquals(
        "peers",
        assertThrows(
                ValidationException.class,
                () ->
                    ConfigLoader.load(
                        List.of(
                            "--id",
                            "n1",
                            "--data-dir",
                            "/tmp/q",
                            "--peers",
                            "n1=127.0.0.11:9053,n1=127.0.0.12:9053"),
                        Map.of()))
            .field());
    assertEquals(
        "join",
        assertThrows(ValidationException.class, () -> load(List.of("--join"), Map.of())).field());
    assertEquals(
        "advertise",
        assertThrows(
                ValidationException.class,
                () ->
                    ConfigLoader.load(
                        List.of("--id", "n4", "--data-dir", "/tmp/q", "--join"), Map.of()))
            .field());
    NodeConfig joiner =
        ConfigLoader.load(
            List.of("--id", "n4", "--data-dir", "/tmp/q", "--join", "--bind", "127.0.0.14"),
            Map.of());
    assertTrue(joiner.join());
    assertTrue(joiner.peers().isEmpty());
  }

  @Test
  void durationsAndSizesParse() {
    assertEquals(Duration.ofMillis(500), Settings.parseDuration("x", "500ms"));
    assertEquals(Duration.ofHours(2), Settings.parseDuration("x", "2h"));
    assertEquals(Duration.ofMinutes(10), Settings.parseDuration("x", "PT10M"));
    assertEquals(64L << 10, new Settings().put("s", "64KB").bytes("s", 0, 0, Long.MAX_VALUE));
  }

  @Test
  void apiAccessHasSafeDefaultsAndComesFromFlagsEnvAndFile(@TempDir Path dir) throws IOException {
    ApiAccess d = load(List.of(), Map.of()).apiAccess();
    assertNull(d.tokenFile());
    assertEquals(Path.of("/tmp/q/audit.log"), d.auditLog());
    assertEquals(Duration.ofSeconds(10), d.requestTimeout());
    assertEquals(4096, d.maxConnections());
    assertEquals(2048, d.maxConnectionsPerClient());
    Path yaml = dir.resolve("node.yaml");
    Files.writeString(yaml, "token-file: /etc/q/tokens.yaml\napi-max-connections: 100\n");
    ApiAccess a =
        load(
                List.of("--config", yaml.toString(), "--api-request-timeout", "2s"),
                Map.of(
                    "QUORUMDNS_AUDIT_LOG",
                    "/var/log/q/audit.log",
                    "QUORUMDNS_API_MAX_CONNECTIONS_PER_CLIENT",
                    "10"))
            .apiAccess();
    assertEquals(Path.of("/etc/q/tokens.yaml"), a.tokenFile());
    assertEquals(Path.of("/var/log/q/audit.log"), a.auditLog());
    assertEquals(Duration.ofSeconds(2), a.requestTimeout());
    assertEquals(100, a.maxConnections());
    assertEquals(10, a.maxConnectionsPerClient());
    assertEquals(
        Path.of("/etc/q/t.yaml"),
        load(List.of(), Map.of("QUORUMDNS_TOKEN_FILE", "/etc/q/t.yaml")).apiAccess().tokenFile());
  }

  @Test
  void watchLimitsHaveDefaultsAndBadValuesNameTheirKey() {
    assertEquals(WatchLimits.defaults(), load(List.of(), Map.of()).apiAccess().watch());
    WatchLimits w =
        load(
                List.of(
                    "--watch-max",
                    "10000",
                    "--watch-buffer",
                    "64KB",
                    "--watch-progress-interval",
                    "500ms"),
                Map.of("QUORUMDNS_WATCH_MAX_PER_CLIENT", "9000"))
            .apiAccess()
            .watch();
    assertEquals(new WatchLimits(10_000, 9000, 64 << 10, Duration.ofMillis(500)), w);
    assertEquals(
        5, load(List.of("--watch-max", "5"), Map.of()).apiAccess().watch().maxWatchersPerClient());
    assertEquals(
        "watch-max-per-client",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--watch-max", "5", "--watch-max-per-client", "6"), Map.of()))
            .field());
    assertEquals(
        "watch-buffer",
        assertThrows(
                ValidationException.class, () -> load(List.of("--watch-buffer", "1KB"), Map.of()))
            .field());
    assertEquals(
        "watch-progress-interval",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--watch-progress-interval", "1h"), Map.of()))
            .field());
    assertEquals(
        "watch-max",
        assertThrows(ValidationException.class, () -> load(List.of("--watch-max", "-1"), Map.of()))
            .field());
  }

  @Test
  void changeLogRetentionDefaultsToTheContractAndIsNamedWhenBad() {
    assertEquals(Retention.DEFAULT, load(List.of(), Map.of()).changeLog());
    Retention small =
        load(List.of("--change-log-min-changes", "50", "--change-log-min-age", "0s"), Map.of())
            .changeLog();
    assertEquals(50, small.minRecords());
    assertEquals(0, small.minAgeMillis());
    assertEquals(
        "change-log-min-changes",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--change-log-min-changes", "0"), Map.of()))
            .field());
    assertEquals(
        "change-log-min-age",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--change-log-min-age", "forever"), Map.of()))
            .field());
  }

  @Test
  void bothTokenFlagsAreRefusedNamingBoth() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> load(List.of("--token-file", "/a", "--api-token-file", "/b"), Map.of()));
    assertEquals("token-file", e.field());
    assertTrue(e.getMessage().contains("api-token-file"), e.getMessage());
    assertEquals(
        "api-max-connections-per-client",
        assertThrows(
                ValidationException.class,
                () ->
                    load(
                        List.of(
                            "--api-max-connections", "5", "--api-max-connections-per-client", "6"),
                        Map.of()))
            .field());
    assertEquals(
        "api-request-timeout",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--api-request-timeout", "1ms"), Map.of()))
            .field());
  }

  @Test
  void booleanFlagsNeedNoValueAndUnknownOrMissingOnesAreNamed() {
    List<String> joiner = List.of("--id", "n4", "--data-dir", "/tmp/q", "--bind", "127.0.0.14");
    NodeConfig listener = ConfigLoader.load(concat(joiner, "--join", "--listener"), Map.of());
    assertTrue(listener.join());
    assertTrue(listener.listener());
    assertTrue(
        ConfigLoader.load(concat(joiner, "--listener", "--join"), Map.of()).listener(),
        "in any order");
    assertFalse(
        ConfigLoader.load(concat(joiner, "--join", "--listener=false"), Map.of()).listener());
    assertFalse(
        ConfigLoader.load(concat(joiner, "--join", "--listener", "false"), Map.of()).listener());
    assertTrue(
        ConfigLoader.load(joiner, Map.of("QUORUMDNS_JOIN", "true")).join(), "from the environment");
    assertEquals(
        "listener",
        assertThrows(
                ValidationException.class,
                () -> ConfigLoader.load(concat(joiner, "--listener"), Map.of()))
            .field(),
        "a listener joins");
    assertEquals(
        "bogus",
        assertThrows(
                ValidationException.class,
                () -> ConfigLoader.load(concat(joiner, "--join", "--bogus"), Map.of()))
            .field());
    assertEquals(
        "join",
        assertThrows(
                ValidationException.class,
                () -> ConfigLoader.load(concat(joiner, "--join", "maybe"), Map.of()))
            .field());
    assertEquals(
        "dns-port",
        assertThrows(
                ValidationException.class,
                () -> ConfigLoader.load(concat(joiner, "--join", "--dns-port"), Map.of()))
            .field());
    assertEquals(
        "stray",
        assertThrows(
                ValidationException.class,
                () -> ConfigLoader.load(concat(joiner, "stray", "--join"), Map.of()))
            .field());
  }

  @Test
  void flagsRepeatLikeBeforeAndTheHelpListsEveryKey() {
    NodeConfig c =
        load(
            List.of(
                "--dns-port",
                "1",
                "--dns-port",
                "2",
                "--upstream",
                "127.0.0.53",
                "--upstream",
                "127.0.0.54:5353"),
            Map.of());
    assertEquals(2, c.dnsPort(), "the last value wins");
    assertEquals(2, c.upstreams().size(), "repeatable keys keep every value");
    String help = NodeFlags.commandLine().getUsageMessage();
    for (String key : ConfigLoader.KEYS) {
      assertTrue(help.contains("--" + key), key + " in the help");
    }
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }
}
