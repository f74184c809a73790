package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI client commands ({@code register}, {@code get}, {@code list}, {@code deregister}, {@code
 * status}, {@code members}) against a real node with a write token: what they print, their exit
 * codes (0 done, 1 refused or failed, 2 bad usage, 3 outcome unknown), and where they take the
 * server and token from.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClientCommandsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DIR = Path.of("target", "it", "cli-files").toAbsolutePath();
  private static final Path NODE_TOKEN = DIR.resolve("api-token");
  private static final String SECRET = "cli-write-secret-0000001";

  @RegisterExtension
  static final TestCluster CLUSTER =
      new TestCluster("cli", 74, 1, "--api-token-file", NODE_TOKEN.toString());

  private static NodeProcess node;

  /** What one command printed and returned. */
  private record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out, e);
      }
    }
  }

  @BeforeAll
  static void start() throws IOException {
    Files.createDirectories(DIR);
    Files.writeString(NODE_TOKEN, SECRET + "\n");
    Files.setPosixFilePermissions(NODE_TOKEN, PosixFilePermissions.fromString("rw-------"));
    CLUSTER.startAll();
    node = CLUSTER.awaitLeader(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  private static Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("QUORUMDNS_SERVER", node.ip() + ":8053");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  private static Map<String, String> withToken() {
    return env("QUORUMDNS_CLIENT_TOKEN_FILE", NODE_TOKEN.toString());
  }

  private static Run run(Map<String, String> env, String command, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] argv = new String[args.length + 1];
    argv[0] = command;
    System.arraycopy(args, 0, argv, 1, args.length);
    int code =
        Main.run(
            argv,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void registerGetListDeregisterRoundTrip() throws Exception {
    Run reg =
        run(
            withToken(),
            "register",
            "shop/cart",
            "--port",
            "http:tcp:8080",
            "--endpoint",
            "10.1.0.7:8080",
            "--label",
            "team=payments");
    assertEquals(0, reg.code(), reg.out() + reg.err());
    String vip = reg.json().get("vip4").asText();
    assertEquals(8080, reg.json().get("ports").get(0).get("port").asInt(), reg.out());
    assertEquals("payments", reg.json().get("labels").get("team").asText(), reg.out());

    Run again = run(withToken(), "register", "shop/cart", "--port", "http:tcp:8081");
    assertEquals(0, again.code(), again.out() + again.err());
    assertEquals(vip, again.json().get("vip4").asText(), "the VIP stays on update");

    Run get = run(env(), "get", "shop/cart");
    assertEquals(0, get.code(), get.err());
    assertEquals(vip, get.json().get("vip4").asText());
    Run list = run(env(), "list", "--namespace", "shop", "--stale");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains(vip), list.out());
    Run status = run(env(), "status");
    assertEquals(0, status.code(), status.err());
    assertEquals("n1", status.json().get("leader").asText(), status.out());

    Run del = run(withToken(), "deregister", "shop/cart");
    assertEquals(0, del.code(), del.out() + del.err());
    Run gone = run(env(), "get", "shop/cart");
    assertEquals(1, gone.code(), "404 is exit 1: " + gone.out());
    assertEquals("not_found", gone.json().get("error").asText(), gone.out());
  }

  @Test
  void leasesAndEndpointHealthFromTheCommandLine() throws Exception {
    Run grant = run(withToken(), "lease", "grant", "--ttl", "15s");
    assertEquals(0, grant.code(), grant.out() + grant.err());
    String id = grant.json().get("id").asText();
    assertEquals("15s", grant.json().get("ttl").asText());
    Run reg =
        run(
            withToken(),
            "register",
            "shop/sidecar",
            "--headless",
            "--port",
            "http:tcp:80",
            "--endpoint",
            "10.1.0.8:80",
            "--lease",
            id);
    assertEquals(0, reg.code(), reg.out() + reg.err());
    assertTrue(reg.json().get("vip4").isNull(), reg.out());
    assertEquals(id, reg.json().get("endpoints").get(0).get("lease").asText(), reg.out());
    Run kept = run(withToken(), "lease", "keepalive", id, "--once");
    assertEquals(0, kept.code(), kept.out() + kept.err());
    Run get = run(env(), "lease", "get", id, "-o", "table");
    assertEquals(0, get.code(), get.err());
    assertTrue(get.out().startsWith("lease " + id + ", ttl 15s, "), get.out());
    Run health = run(withToken(), "health", "shop/sidecar", "10.1.0.8:80", "critical");
    assertEquals(0, health.code(), health.out() + health.err());
    assertEquals(
        "critical", health.json().get("endpoints").get(0).get("health").asText(), health.out());
    Run noSuch = run(withToken(), "health", "shop/sidecar", "10.1.0.9:80", "critical");
    assertEquals(1, noSuch.code(), noSuch.out());
    assertEquals("endpoint", noSuch.json().get("field").asText(), noSuch.out());

    Run revoke = run(withToken(), "lease", "revoke", id, "-o", "table");
    assertEquals(0, revoke.code(), revoke.out() + revoke.err());
    assertEquals("lease " + id + " revoked; endpoints removed from shop/sidecar\n", revoke.out());
    assertEquals(
        0, run(env(), "get", "shop/sidecar").json().get("endpoints").size(), "the endpoint left");
    Run gone = run(withToken(), "lease", "keepalive", id);
    assertEquals(
        1, gone.code(), "a lease that is gone ends the keepalive loop: " + gone.out() + gone.err());
    assertTrue(gone.err().contains("404"), gone.err());
  }

  @Test
  void writesWithoutTheTokenAreRefusedAndTheNodesTokenFileVariableIsNotTheClients()
      throws Exception {
    Run none = run(env(), "register", "shop/unauth");
    assertEquals(1, none.code(), none.out());
    assertEquals("unauthorized", none.json().get("error").asText(), none.out());
    // QUORUMDNS_TOKEN_FILE is the node's (YAML) setting: the client does not read it.
    Run nodeVar =
        run(env("QUORUMDNS_TOKEN_FILE", NODE_TOKEN.toString()), "register", "shop/unauth");
    assertEquals(1, nodeVar.code(), nodeVar.out());
    assertEquals(1, run(env(), "get", "shop/unauth").code(), "nothing registered");
  }

  @Test
  void badUsageIsExit2NamesTheOptionAndSendsNothing() throws Exception {
    Path yaml = DIR.resolve("tokens.yaml");
    Files.writeString(yaml, "tokens:\n  - {id: a, secret: " + SECRET + ", scopes: [admin]}\n");
    Map<String, Run> refused = new LinkedHashMap<>();
    refused.put("port", run(withToken(), "register", "shop/bad", "--port", "8080"));
    refused.put("label", run(withToken(), "register", "shop/bad", "--label", "novalue"));
    refused.put("NS/NAME", run(withToken(), "register"));
    refused.put("--prot", run(withToken(), "register", "shop/bad", "--prot", "http:tcp:80"));
    refused.put("'extra'", run(withToken(), "register", "shop/bad", "extra"));
    refused.put("token-file", run(env(), "register", "shop/bad", "--token-file", yaml.toString()));
    refused.put("regster", run(env(), "regster", "shop/bad"));
    refused.put("namespace", run(withToken(), "register", "Bad_ns/x"));
    refused.put("--nodes", run(env(), "dev", "--nodes", "abc"));
    refused.put(
        "token-file ",
        run(
            env("QUORUMDNS_CLIENT_TOKEN_FILE", DIR.resolve("absent").toString()),
            "get",
            "shop/bad"));
    refused.forEach(
        (option, r) -> {
          assertEquals(2, r.code(), option + ": " + r.err());
          assertTrue(r.err().contains(option.strip()), "names " + option + ": " + r.err());
          assertEquals("", r.out(), option);
        });
    assertEquals(1, run(env(), "get", "shop/bad").code(), "nothing registered");
  }

  @Test
  void helpOnEveryCommandAndTheVersionFromTheBuild() throws Exception {
    for (String command :
        List.of("register", "deregister", "get", "list", "status", "members", "certs", "dev")) {
      Run help = run(env(), command, "--help");
      assertEquals(0, help.code(), command + ": " + help.err());
      assertTrue(help.out().startsWith("Usage: quorumdns " + command), help.out());
    }
    Run add = run(env(), "members", "add", "--help");
    assertEquals(0, add.code());
    assertTrue(add.out().contains("--listener"), add.out());
    Run version = run(env(), "--version");
    assertEquals(0, version.code());
    assertTrue(version.out().matches("quorumdns \\d+\\.\\d+\\.\\d+.*\\s*"), version.out());
  }

  @Test
  void tablesForPeopleAndTheNextServerWhenOneCannotBeReached() throws Exception {
    Map<String, String> twoServers =
        env(
            "QUORUMDNS_SERVER",
            "127.0.74.99:8053," + node.ip() + ":8053",
            "QUORUMDNS_CLIENT_TOKEN_FILE",
            NODE_TOKEN.toString());
    Run reg = run(twoServers, "register", "shop/table", "--port", "http:tcp:80", "-o", "table");
    assertEquals(0, reg.code(), reg.err());
    String[] lines = reg.out().split("\n");
    assertTrue(
        lines[0].matches("NAMESPACE\\s+NAME\\s+VIP4\\s+VIP6\\s+PORTS\\s+REVISION"), reg.out());
    assertTrue(
        lines[1].matches(
            "shop\\s+table\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+\\S+\\s+http:tcp:80\\s+\\d+"),
        reg.out());
    Run status = run(env(), "status", "--output", "table");
    assertEquals(0, status.code(), status.err());
    assertTrue(status.out().startsWith("node n1: leader n1,"), status.out());
    assertTrue(status.out().contains("\nn1  leader"), status.out());
    Run list =
        run(
            env("QUORUMDNS_SERVER", "127.0.74.99:8053"),
            "list",
            "--server",
            "127.0.74.98:8053",
            "--server",
            node.ip() + ":8053",
            "-o",
            "table");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains("services, registry revision"), list.out());
    Run missing = run(env(), "get", "shop/none", "-o", "table");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("404 not_found"), missing.err());
    Run none = run(env("QUORUMDNS_SERVER", "127.0.74.99:8053,127.0.74.98:8053"), "status");
    assertEquals(1, none.code());
    assertTrue(
        none.err().contains("cannot reach 127.0.74.99:8053")
            && none.err().contains("127.0.74.98:8053"),
        none.err());
  }

  @Test
  void noNodeIsExit1AndAWriteCutOffAfterSendingIsExit3Unknown() throws Exception {
    Run unreachable = run(env("QUORUMDNS_SERVER", "127.0.74.99:8053"), "register", "shop/x");
    assertEquals(1, unreachable.code(), unreachable.err());
    assertTrue(unreachable.err().contains("cannot reach 127.0.74.99:8053"), unreachable.err());

    // A "node" that reads the whole request and then drops the connection: the write may have
    // happened.
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.74.98"))) {
      Thread dropper =
          new Thread(
              () -> {
                while (!s.isClosed()) {
                  try (Socket c = s.accept()) {
                    InputStream in = c.getInputStream();
                    byte[] buf = new byte[8192];
                    c.setSoTimeout(2000);
                    in.read(buf); // the request line, headers and the small body
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "dropper");
      dropper.setDaemon(true);
      dropper.start();
      Map<String, String> dropping = env("QUORUMDNS_SERVER", "127.0.74.98:" + s.getLocalPort());
      Run write = run(dropping, "register", "shop/x");
      assertEquals(3, write.code(), write.err());
      assertTrue(write.err().contains("outcome of this write is unknown"), write.err());
      Run read = run(dropping, "get", "shop/x");
      assertEquals(1, read.code(), "a read cut off is simply failed: " + read.err());
      // The next server is tried only when nothing was sent: after a cut-off write it is not.
      Map<String, String> droppingFirst =
          env(
              "QUORUMDNS_SERVER",
              "127.0.74.98:" + s.getLocalPort() + "," + node.ip() + ":8053",
              "QUORUMDNS_CLIENT_TOKEN_FILE",
              NODE_TOKEN.toString());
      Run cut = run(droppingFirst, "register", "shop/x2");
      assertEquals(3, cut.code(), cut.err());
      assertEquals(1, run(env(), "get", "shop/x2").code(), "the second server was not asked");
    }
  }
}
