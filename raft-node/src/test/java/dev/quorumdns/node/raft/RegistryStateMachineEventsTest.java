package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the state machine hands on to the node runtime from Ratis' notifications. */
class RegistryStateMachineEventsTest {
  @TempDir Path dir;

  @Test
  void aRaftLogWriteFailureReachesTheRuntimeWithItsEntry() throws IOException {
    List<String> failures = new CopyOnWriteArrayList<>();
    RaftEvents events =
        new RaftEvents() {
          @Override
          public void leaderChanged(RaftPeerId leader) {}

          @Override
          public void leaderReady() {}

          @Override
          public void appliedAsLeader(long index) {}

          @Override
          public void configurationChanged(List<RaftPeer> voters, List<RaftPeer> listeners) {}

          @Override
          public void logFailed(Throwable cause, long index) {
            failures.add(index + " " + cause.getMessage());
          }
        };
    Registry registry = TestRegistries.open(dir);
    try (RegistryStateMachine sm = new RegistryStateMachine(registry, Clock.systemUTC(), events)) {
      // Ratis' log worker, on a full disk: the entry it could not write, then a segment roll.
      sm.event()
          .notifyLogFailed(
              new IOException("No space left on device"),
              RaftProtos.LogEntryProto.newBuilder().setTerm(48).setIndex(31304).build());
      sm.event().notifyLogFailed(new IOException("No space left on device"), null);
    } finally {
      registry.close();
    }
    assertEquals(List.of("31304 No space left on device", "-1 No space left on device"), failures);
  }

  /**
   * How a failed apply names its entry and root cause: the node's readiness, its stop message and
   * the chaos suite's log allow-list (a store write failing on a full disk) read it.
   */
  @Test
  void aFailedApplyNamesItsEntryAndTheRootCause() {
    IOException failure =
        new IOException(
            "store write failed",
            new org.rocksdb.RocksDBException(
                "While appending to file: /data/n2/state/000153.log: No space left on device"));
    assertEquals(
        "(t:57, i:36518) (RocksDBException: While appending to file: /data/n2/state/000153.log: No"
            + " space left on device)",
        RegistryStateMachine.describe(TermIndex.valueOf(57, 36518), failure));
  }
}
