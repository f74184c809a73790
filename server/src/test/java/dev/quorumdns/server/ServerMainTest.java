package dev.quorumdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.exceptions.ChecksumException;
import org.junit.jupiter.api.Test;

/**
 * The line a node prints when it cannot start names the root cause and, for damage, the way out.
 */
class ServerMainTest {
  private static final NodeConfig CONFIG =
      ConfigLoader.load(
          List.of("--id", "n3", "--data-dir", "/data/n3", "--peers", "n3=127.0.0.1:9053"),
          Map.of());

  @Test
  void aDamagedRaftLogNamesItsChecksumAndTheWayBack() {
    Exception e =
        new CompletionException(
            new IllegalStateException(
                "n3@group-1: Failed to initRaftLog.",
                new ChecksumException(
                    "Log entry corrupted: Calculated checksum is 834CF708 but read checksum is 0",
                    4096)));
    String causes = ServerMain.causes(e);
    assertEquals(
        "java.lang.IllegalStateException: n3@group-1: Failed to initRaftLog.; caused by"
            + " org.apache.ratis.protocol.exceptions.ChecksumException: Log entry corrupted:"
            + " Calculated checksum is 834CF708 but read checksum is 0",
        causes,
        "the wrapper that only repeats its cause is left out");
    String advice = ServerMain.damaged(e, CONFIG);
    assertTrue(advice.contains("/data/n3 is damaged") && advice.contains("--join"), advice);
  }

  @Test
  void anotherFailureGetsNoAdviceAboutDamage() {
    Exception e = new IOException("Address already in use");
    assertEquals("java.io.IOException: Address already in use", ServerMain.causes(e));
    assertEquals("", ServerMain.damaged(e, CONFIG));
  }
}
