package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.cli.ClientCommands;
import dev.quorumdns.cli.UsageException;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI client commands ({@code register}, {@code get}, {@code list}, {@code deregister}, {@code status},
 * {@code members}) against a real node with a write token: what they print, their exit codes (0 done, 1 refused
 * or failed, 2 bad usage, 3 outcome unknown), and where they take the server and token from.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class ClientCommandsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DIR = Path.of("target", "it", "cli-files").toAbsolutePath();
  private static final Path NODE_TOKEN = DIR.resolve("api-token");
  private static final String SECRET = "cli-write-secret-0000001";

  @RegisterExtension
  static final TestCluster CLUSTER = new TestCluster("cli", 74, 1, "--api-token-file", NODE_TOKEN.toString());
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
    int code = ClientCommands.run(command, List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void registerGetListDeregisterRoundTrip() throws Exception {
    Run reg = run(withToken(), "register", "shop/cart", "--port", "http:tcp:8080", "--endpoint", "10.1.0.7:8080",
        "--label", "team=payments");
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
  void writesWithoutTheTokenAreRefusedAndTheNodesTokenFileVariableIsNotTheClients() throws Exception {
    Run none = run(env(), "register", "shop/unauth");
    assertEquals(1, none.code(), none.out());
    assertEquals("unauthorized", none.json().get("error").asText(), none.out());
    // QUORUMDNS_TOKEN_FILE is the node's (YAML) setting: the client does not read it.
    Run nodeVar = run(env("QUORUMDNS_TOKEN_FILE", NODE_TOKEN.toString()), "register", "shop/unauth");
    assertEquals(1, nodeVar.code(), nodeVar.out());
    assertEquals(1, run(env(), "get", "shop/unauth").code(), "nothing registered");
  }

  @Test
  void badUsageNamesTheOptionAndSendsNothing() throws Exception {
    Path yaml = DIR.resolve("tokens.yaml");
    Files.writeString(yaml, "tokens:\n  - {id: a, secret: " + SECRET + ", scopes: [admin]}\n");
    Map<String, UsageException> refused = new java.util.LinkedHashMap<>();
    refused.put("port", assertThrows(UsageException.class,
        () -> run(withToken(), "register", "shop/bad", "--port", "8080")));
    refused.put("label", assertThrows(UsageException.class,
        () -> run(withToken(), "register", "shop/bad", "--label", "novalue")));
    refused.put("NS/NAME", assertThrows(UsageException.class, () -> run(withToken(), "register")));
    refused.put("token-file", assertThrows(UsageException.class,
        () -> run(env(), "register", "shop/bad", "--token-file", yaml.toString())));
    refused.put("command", assertThrows(UsageException.class, () -> run(env(), "regster", "shop/bad")));
    refused.forEach((field, e) -> assertEquals(field, e.field(), e.getMessage()));
    UsageException missing = assertThrows(UsageException.class,
        () -> run(env("QUORUMDNS_CLIENT_TOKEN_FILE", DIR.resolve("absent").toString()), "get", "shop/bad"));
    assertEquals("token-file", missing.field(), missing.getMessage());
    assertEquals(1, run(env(), "get", "shop/bad").code(), "nothing registered");
  }

  @Test
  void noNodeIsExit1AndAWriteCutOffAfterSendingIsExit3Unknown() throws Exception {
    Run unreachable = run(env("QUORUMDNS_SERVER", "127.0.74.99:8053"), "register", "shop/x");
    assertEquals(1, unreachable.code(), unreachable.err());
    assertTrue(unreachable.err().contains("cannot reach 127.0.74.99:8053"), unreachable.err());

    // A "node" that reads the whole request and then drops the connection: the write may have happened.
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.74.98"))) {
      Thread dropper = new Thread(() -> {
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
      }, "dropper");
      dropper.setDaemon(true);
      dropper.start();
      Map<String, String> dropping = env("QUORUMDNS_SERVER", "127.0.74.98:" + s.getLocalPort());
      Run write = run(dropping, "register", "shop/x");
      assertEquals(3, write.code(), write.err());
      assertTrue(write.err().contains("outcome of this write is unknown"), write.err());
      Run read = run(dropping, "get", "shop/x");
      assertEquals(1, read.code(), "a read cut off is simply failed: " + read.err());
    }
  }
}
