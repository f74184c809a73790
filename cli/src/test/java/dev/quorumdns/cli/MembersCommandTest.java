package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code quorumdns members}: asked of a follower, it shows the leader's view of member health. */
@Timeout(30)
class MembersCommandTest {
  private HttpServer follower;
  private HttpServer leader;

  private static HttpServer serve(String body) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(
        "/v1/cluster",
        ex -> {
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    s.start();
    return s;
  }

  @AfterEach
  void stop() {
    follower.stop(0);
    leader.stop(0);
  }

  @Test
  void aFollowerSendsTheQuestionOnToTheLeader() throws IOException {
    leader =
        serve(
            "{\"id\":\"n1\",\"leader\":\"n1\",\"term\":2,\"members\":[{\"id\":\"n1\",\"role\":\"leader\","
                + "\"raft\":\"h1:9053\",\"lastContactMs\":0,\"logLag\":0,\"healthy\":true,\"autopilot\":\"voter (leader)\"},"
                + "{\"id\":\"n4\",\"role\":\"listener\",\"raft\":\"h4:9053\",\"lastContactMs\":120,\"logLag\":3,"
                + "\"healthy\":true,\"autopilot\":\"listener: healthy for 4.0s of 10.0s before it may be promoted\"}],"
                + "\"autopilot\":{\"tracking\":true,\"decision\":\"no change: 1 voter (max 5), 1 listener, 1 stabilizing\"}}");
    follower =
        serve(
            "{\"id\":\"n4\",\"leader\":\"n1\",\"term\":2,\"members\":[{\"id\":\"n1\",\"role\":\"leader\","
                + "\"raft\":\"h1:9053\",\"api\":\"127.0.0.1:"
                + leader.getAddress().getPort()
                + "\"},{\"id\":\"n4\","
                + "\"role\":\"listener\",\"raft\":\"h4:9053\"}],\"autopilot\":{\"tracking\":false,"
                + "\"decision\":\"member health is tracked by the leader (n1): ask it\"}}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"members", "-o", "table"},
            Map.of("QUORUMDNS_SERVER", "127.0.0.1:" + follower.getAddress().getPort()),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertTrue(text.contains("CONTACT  LAG  HEALTHY  AUTOPILOT"), text);
    assertTrue(text.contains("120ms    3    true     listener: healthy for 4.0s of 10.0s"), text);
    assertTrue(text.contains("autopilot: no change: 1 voter"), text);
  }
}
