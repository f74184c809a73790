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
 * The command line without a node: help and version, bad usage refused with exit 2 before anything is sent
 * (the server named here does not exist: a request would end in exit 1), and a client that does not carry Raft
 * or RocksDB.
 */
@Timeout(30)
class CommandLineTest {
  /** Exit code, stdout, stderr. */
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, Map.of("QUORUMDNS_SERVER", "127.201.0.1:1"), new PrintStream(out, true,
        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"register", "deregister", "get", "list", "status", "members", "certs", "dev", "node"})
  void everyCommandHasHelp(String command) {
    Run r = run(command, "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Usage: quorumdns " + command), r.out());
  }

  @Test
  void theTopLevelListsTheCommandsAndTheVersionComesFromTheBuild() {
    Run help = run("--help");
    assertEquals(0, help.code());
    for (String command : new String[] {"node", "dev", "register", "get", "members", "certs", "help"}) {
      assertTrue(help.out().contains("\n  " + command), command + " in " + help.out());
    }
    Run none = run();
    assertEquals(2, none.code());
    assertTrue(none.err().contains("a command is required"), none.err());
    Run version = run("--version");
    assertEquals(0, version.code());
    assertEquals("quorumdns " + Version.version() + "\n", version.out());
    assertTrue(Version.version().matches("\\d+\\.\\d+\\.\\d+.*"), "filled in by the build: " + Version.version());
    assertEquals(0, run("get", "--version").code());
  }

  @ParameterizedTest(name = "{0} -> exit 2 naming {1}")
  @CsvSource(delimiter = '|', value = {
      "register shop/x --prot http:tcp:80 | '--prot'",
      "register shop/x --port 80          | port: '80'",
      "register shop/x extra              | 'extra'",
      "register                           | NS/NAME",
      "get shop                           | service: 'shop'",
      "get node/x                         | namespace",
      "list --namespace a_b               | namespace",
      "status --output yaml               | --output",
      "members add n4                     | HOST:RAFTPORT",
      "members drop n4                    | 'drop'",
      "dev --nodes abc                    | '--nodes'",
      "dev --nodes 12                     | nodes: 12",
      "regster shop/x                     | 'regster'",
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
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.ratis.server.RaftServer"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.rocksdb.RocksDB"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.quorumdns.registry.RegistryView"));
  }
}
