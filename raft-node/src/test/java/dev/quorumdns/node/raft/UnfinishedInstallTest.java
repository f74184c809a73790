package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration written by a snapshot install that never finished is forgotten only when the
 * group holds neither a log entry nor a finished snapshot; anything else keeps it. RaftRuntimeIT
 * checks the same against the segments real Ratis peers wrote.
 */
class UnfinishedInstallTest {
  @TempDir Path group;
  private Path current;
  private Path conf;

  @BeforeEach
  void layout() throws IOException {
    current = Files.createDirectories(group.resolve("current"));
    Files.createDirectories(group.resolve("sm"));
    conf = Files.write(current.resolve(UnfinishedInstall.CONF_FILE), new byte[] {8, 1, 2, 3});
    Files.write(current.resolve("raft-meta"), "term=7\nvotedFor=n2\n".getBytes());
  }

  private static byte[] segment(int... body) {
    byte[] header = "RaftLog1".getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[header.length + body.length];
    System.arraycopy(header, 0, out, 0, header.length);
    for (int i = 0; i < body.length; i++) {
      out[header.length + i] = (byte) body[i];
    }
    return out;
  }

  private void assertForgotten() throws IOException {
    Optional<String> was = UnfinishedInstall.forgetConfiguration(group);
    assertTrue(was.isPresent());
    assertTrue(was.get().startsWith("4 bytes"), was.get());
    assertFalse(Files.exists(conf));
    assertTrue(Files.exists(current.resolve("raft-meta")), "term and vote stay");
  }

  private void assertKept() throws IOException {
    assertEquals(Optional.empty(), UnfinishedInstall.forgetConfiguration(group));
    assertTrue(Files.exists(conf));
  }

  @Test
  void noLogAndNoSnapshotForgetsTheConfiguration() throws IOException {
    Files.createDirectories(group.resolve("sm").resolve("snapshot.3_120.tmp"));
    assertForgotten();
  }

  @Test
  void anOpenSegmentOfHeaderAndPaddingHoldsNoEntry() throws IOException {
    Files.write(current.resolve("log_inprogress_0"), segment(0, 0, 0, 0));
    assertForgotten();
    Files.write(conf, new byte[] {8, 1, 2, 3});
    Files.write(current.resolve("log_inprogress_0"), segment());
    assertForgotten();
  }

  @Test
  void anEntryInTheOpenSegmentKeepsIt() throws IOException {
    Files.write(current.resolve("log_inprogress_0"), segment(42, 9, 9, 0, 0));
    assertKept();
  }

  @Test
  void anOpenSegmentWithoutTheHeaderCountsAsAnEntry() throws IOException {
    Files.write(current.resolve("log_inprogress_0"), "garbage!x".getBytes());
    assertKept();
  }

  @Test
  void aClosedSegmentKeepsIt() throws IOException {
    Files.write(current.resolve("log_0-17"), segment(42));
    assertKept();
  }

  @Test
  void aFinishedSnapshotKeepsIt() throws IOException {
    Files.createDirectories(group.resolve("sm").resolve("snapshot.3_120"));
    assertKept();
  }

  @Test
  void withoutAConfigurationThereIsNothingToForget() throws IOException {
    Files.delete(conf);
    assertEquals(Optional.empty(), UnfinishedInstall.forgetConfiguration(group));
  }

  @Test
  void theStartLineSaysWhatTheStorageHolds() throws IOException {
    Files.write(current.resolve("log_0-17"), segment(42));
    Files.write(current.resolve("log_inprogress_18"), segment(0, 0));
    Files.createDirectories(group.resolve("sm").resolve("snapshot.3_120"));
    assertEquals(
        "log segments [log_0-17, log_inprogress_18 (no entry)]; raft-meta.conf of 4 bytes;"
            + " state-machine directory [snapshot.3_120]",
        UnfinishedInstall.describe(group));
    assertEquals("empty (a new member)", UnfinishedInstall.describe(group.resolve("absent")));
  }
}
