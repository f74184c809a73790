package dev.quorumdns.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.autopilot.RatisLook;
import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.raft.QuietListener;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.state.Snapshots;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the node's read-only looks at Raft answer while Ratis has created this node's division but
 * not opened its log: the window in which a joiner is asked over HTTP early in its start (CI run
 * seed 7363253, a 500 and an ERROR in joiner n4's log). Real Ratis, never started.
 */
class UnstartedRaftTest {
  private NodeConfig config;
  private Registry registry;
  private RaftRuntime raft;
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();

  @BeforeEach
  void build() throws Exception {
    Path base = Path.of("target", "unstarted-raft").toAbsolutePath();
    Snapshots.deleteTree(base);
    Files.createDirectories(base);
    config =
        ConfigLoader.load(
            List.of(
                "--id",
                "n1",
                "--data-dir",
                base.toString(),
                "--bind",
                "127.0.91.11",
                "--peers",
                "n1=127.0.91.11:9053,n2=127.0.91.12:9053,n3=127.0.91.13:9053"),
            Map.of());
    registry = new Registry(config.stateDir(), new SimpleMeterRegistry());
    registry.load();
    raft =
        new RaftRuntime(
            config,
            registry,
            Clock.systemUTC(),
            callbacks,
            SizeInBytes.valueOf(config.raftSegmentBytes()),
            new QuietListener());
  }

  @AfterEach
  void close() {
    raft.close();
    registry.close();
    callbacks.shutdownNow();
  }

  @Test
  void ratisHandsOutTheDivisionBeforeItsLogIsOpen() throws IOException {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> raft.division().getRaftLog());
    assertTrue(e.getMessage().contains("log is uninitialized"), e.getMessage());
  }

  @Test
  void everyLookAtTheLogAnswersStartingInsteadOfThrowingWhatRatisThrows() {
    IOException e = assertThrows(IOException.class, raft::startedDivision);
    assertTrue(e.getMessage().contains("starting"), e.getMessage());
    assertThrows(IOException.class, () -> RaftMembership.of(raft).state());
    assertEquals(0, raft.leaderCommitIndex());
    assertNull(RatisLook.of(raft));

    FormationInfo info = MembershipWiring.info(config, raft, null);
    assertEquals(FormationInfo.Phase.JOINING, info.phase());
    assertFalse(info.confCommitted());
  }
}
