package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuorumDnsLauncherTest {
  @TempDir Path dist;

  private QuorumDnsLauncher launcher() throws IOException {
    Files.writeString(dist.resolve("quorumdns-server.jar"), "");
    return new QuorumDnsLauncher(dist, "/usr/lib/jvm/x", List.of("--autopilot-dead-after", "45s"));
  }

  private static Map<String, String> addresses() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("n1", "10.0.0.1");
    a.put("n2", "10.0.0.2");
    a.put("n4", "10.0.0.4");
    return a;
  }

  @Test
  void aNodeAddedAtRunTimeFindsTheOthersThroughTheirApis() throws IOException {
    List<String> argv = launcher().retryJoinCommand("n4", addresses());
    int at = argv.indexOf("--retry-join");
    assertTrue(at > 0, argv::toString);
    assertEquals("10.0.0.1:8053,10.0.0.2:8053", argv.get(at + 1));
    assertEquals("10.0.0.4", argv.get(argv.indexOf("--advertise") + 1));
    assertFalse(argv.contains("--peers"));
    assertFalse(argv.contains("--join"));
    assertEquals("45s", argv.get(argv.size() - 1));
  }

  @Test
  void aFoundingNodeNamesItsPeers() throws IOException {
    List<String> argv = launcher().command("n1", addresses());
    assertEquals(
        "n1=10.0.0.1:9053,n2=10.0.0.2:9053,n4=10.0.0.4:9053",
        argv.get(argv.indexOf("--peers") + 1));
    assertFalse(argv.contains("--retry-join"));
  }
}
