package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.quorumdns.registry.state.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The documented backup and restore: {@code POST /v1/cluster/snapshot} writes a RocksDB checkpoint; a new
 * node started on a copy of it (as its {@code state/} directory) comes up with every service and VIP of the
 * backup, and takes writes.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BackupRestoreIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aNodeStartedOnASnapshotCopyServesTheBackedUpRegistry() throws Exception {
    Path backup = Path.of("target", "it", "backup-copy").toAbsolutePath();
    Snapshots.deleteTree(backup);
    Map<String, String> backedUp;
    try (TestCluster original = new TestCluster("backup-original", 6, 1)) {
      original.startAll();
      NodeProcess n = original.awaitLeader(Duration.ofSeconds(60));
      for (int i = 0; i < 10; i++) {
        String name = "s" + i;
        Await.until(WAIT, "register " + name, () -> n.call("PUT", "/v1/services/b/" + name, "{}").status() == 201);
      }
      NodeProcess.Reply snap = n.call("POST", "/v1/cluster/snapshot", null);
      assertEquals(200, snap.status(), snap.body().toString());
      Snapshots.copyTree(Path.of(snap.body().get("directory").asText()), backup);
      backedUp = TestCluster.vips(n);
      assertEquals(201, n.call("PUT", "/v1/services/b/after-backup", "{}").status());
    }
    try (TestCluster restored = new TestCluster("backup-restored", 7, 1)) {
      Path state = restored.nodes().get(0).dir().resolve("state");
      Files.createDirectories(state.getParent());
      Snapshots.copyTree(backup, state);
      restored.startAll();
      NodeProcess n = restored.awaitLeader(Duration.ofSeconds(60));
      assertEquals(backedUp, TestCluster.vips(n));
      assertFalse(TestCluster.vips(n).containsKey("b/after-backup"));
      assertEquals("NOERROR " + backedUp.get("b/s3").split(",")[0], n.resolve("s3.b.mesh.internal", 1));
      Await.until(WAIT, "a write after the restore", () ->
          n.call("PUT", "/v1/services/b/after-restore", "{}").status() == 201);
      n.stop();
      n.start();
      NodeProcess again = restored.awaitLeader(Duration.ofSeconds(60));
      assertEquals(backedUp.size() + 1, TestCluster.vips(again).size(), "after a restart");
    }
  }
}
