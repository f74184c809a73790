package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line without a node: help and version, bad usage refused with exit 2 before anything
 * is sent (the server named here does not exist: a request would end in exit 1), and a client that
 * does not carry Raft or RocksDB.
 */
@Timeout(30)
class CommandLineTest {
  /** Exit code, stdout, stderr. */
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            Map.of("QUORUMDNS_SERVER", "127.201.0.1:1"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "register",
        "deregister",
        "get",
        "list",
        "watch",
        "status",
        "members",
        "certs",
        "dev",
        "node",
        "lease",
        "health",
        "snapshot"
      })
  void everyCommandHasHelp(String command) {
    Run r = run(command, "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Usage: quorumdns " + command), r.out());
  }

  @Test
  void theTopLevelListsTheCommandsAndTheVersionComesFromTheBuild() {
    Run help = run("--help");
    assertEquals(0, help.code());
    for (String command :
        new String[] {"node", "dev", "register", "get", "members", "certs", "help"}) {
      assertTrue(help.out().contains("\n  " + command), command + " in " + help.out());
    }
    Run none = run();
    assertEquals(2, none.code());
    assertTrue(none.err().contains("a command is required"), none.err());
    Run version = run("--version");
    assertEquals(0, version.code());
    assertEquals("quorumdns " + Version.version() + "\n", version.out());
    assertTrue(
        Version.version().matches("\\d+\\.\\d+\\.\\d+.*"),
        "filled in by the build: " + Version.version());
    assertEquals(0, run("get", "--version").code());
  }

  @ParameterizedTest(name = "{0} -> exit 2 naming {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "register shop/x --prot http:tcp:80 | '--prot'",
        "register shop/x --port 80          | port: '80'",
        "register shop/x extra              | 'extra'",
        "register                           | NS/NAME",
        "get shop                           | service: 'shop'",
        "get node/x                         | namespace",
        "list --namespace a_b               | namespace",
        "watch --namespace a_b              | namespace",
        "watch --from -1                    | from",
        "watch --from x                     | '--from'",
        "status --output yaml               | --output",
        "members add n4                     | HOST:RAFTPORT",
        "members drop n4                    | 'drop'",
        "dev --nodes abc                    | '--nodes'",
        "dev --nodes 12                     | nodes: 12",
        "regster shop/x                     | 'regster'",
        "lease                              | a subcommand is required",
        "lease grant                        | --ttl",
        "lease grant --ttl soon             | ttl: 'soon'",
        "lease grant --ttl 15 s             | 's'",
        "lease keepalive xyz                | LEASE: 'xyz'",
        "lease keepalive                    | LEASE",
        "lease revoke 12345678901234567     | LEASE",
        "lease get 1 2                      | '2'",
        "register shop/x --lease 1          | lease: goes with the endpoints",
        "register shop/x --endpoint 10.0.0.1 --lease q | lease: 'q'",
        "register shop/x --headless --vip4 240.0.0.1 | headless",
        "health shop/x 10.0.0.1 sick        | STATE: 'sick'",
        "health shop/x                      | ENDPOINT",
        "health shop 10.0.0.1 critical      | service: 'shop'",
      })
  void badUsageIsExit2NamingTheOptionBeforeAnythingIsSent(String line, String named) {
    Run r = run(line.split(" "));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(named), "names " + named + ": " + r.err());
    assertEquals("", r.out());
  }

  @Test
  void anUnreachableServerIsExit1() {
    Run r = run("status");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("cannot reach 127.201.0.1:1"), r.err());
  }

  @Test
  void theClientCarriesNeitherRaftNorRocksDb() {
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("org.apache.ratis.server.RaftServer"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.rocksdb.RocksDB"));
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("dev.quorumdns.registry.RegistryView"));
  }
}
