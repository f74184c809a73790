package dev.quorumdns.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.SnapshotCopy;
import dev.quorumdns.registry.state.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot copies for downloads: the checkpoint's files held apart from the snapshot (which
 * retention may delete), without Ratis' digests; a snapshot deleted before it was held is taken
 * again; closing and a restart delete them.
 */
@Timeout(30)
class SnapshotCopiesTest {
  @TempDir Path dir;

  private Path checkpoint(String name) throws IOException {
    Path c = Files.createDirectories(dir.resolve("sm").resolve(name));
    Files.writeString(c.resolve("CURRENT"), "MANIFEST-000003\n");
    Files.writeString(c.resolve("000004.sst"), "sst bytes");
    Files.writeString(c.resolve("000004.sst.md5"), "digest");
    return c;
  }

  @Test
  void aCopyOutlivesItsSnapshotUntilClosed() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    SnapshotCopies copies = new SnapshotCopies(data);
    Path snap = checkpoint("snapshot.2_40");
    SnapshotCopy copy =
        copies.take(() -> new RaftRuntime.Snapshot(2, 40, snap), "quorumdns", "n1", Instant.EPOCH);
    assertEquals(List.of("000004.sst", "CURRENT"), copy.files(), "sorted, without the .md5 digest");
    assertEquals(2, copy.term());
    assertEquals(40, copy.index());
    assertTrue(copy.directory().startsWith(data.resolve(SnapshotCopies.DIR)));
    Snapshots.deleteTree(snap);
    assertEquals(
        "sst bytes",
        Files.readString(copy.directory().resolve("000004.sst")),
        "retention took the snapshot");
    copy.close();
    copy.close();
    assertFalse(Files.exists(copy.directory()));
  }

  @Test
  void aSnapshotDeletedBeforeItWasHeldIsTakenAgain() throws Exception {
    SnapshotCopies copies = new SnapshotCopies(dir.resolve("data"));
    AtomicInteger calls = new AtomicInteger();
    Path later = checkpoint("snapshot.3_60");
    SnapshotCopy copy =
        copies.take(
            () ->
                calls.incrementAndGet() == 1
                    ? new RaftRuntime.Snapshot(3, 50, dir.resolve("sm/snapshot.3_50"))
                    : new RaftRuntime.Snapshot(3, 60, later),
            "quorumdns",
            "n1",
            Instant.EPOCH);
    assertEquals(60, copy.index());
    assertEquals(2, calls.get());
    NodeException e =
        assertThrows(
            NodeException.class,
            () ->
                copies.take(
                    () -> new RaftRuntime.Snapshot(1, 1, dir.resolve("gone")),
                    "quorumdns",
                    "n1",
                    Instant.EPOCH));
    assertEquals(NodeException.Kind.SNAPSHOT_FAILED, e.kind());
    NodeException failed =
        assertThrows(
            NodeException.class,
            () ->
                copies.take(
                    () -> {
                      throw new IOException("no leader");
                    },
                    "quorumdns",
                    "n1",
                    Instant.EPOCH));
    assertEquals(NodeException.Kind.SNAPSHOT_FAILED, failed.kind());
  }

  @Test
  void copiesLeftByAStoppedNodeAreDeletedAtStart() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path snap = checkpoint("snapshot.1_10");
    SnapshotCopy left =
        new SnapshotCopies(data)
            .take(() -> new RaftRuntime.Snapshot(1, 10, snap), "quorumdns", "n1", Instant.EPOCH);
    assertTrue(Files.exists(left.directory()));
    new SnapshotCopies(data).removeLeftovers();
    assertFalse(Files.exists(data.resolve(SnapshotCopies.DIR)));
  }
}
