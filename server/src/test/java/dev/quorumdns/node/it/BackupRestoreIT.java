package dev.quorumdns.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Type;

/**
 * Backups a person can take home, end to end with real node processes and the real CLI: {@code
 * quorumdns snapshot save} from a 3-node cluster under writes (through a follower), {@code snapshot
 * restore} into a new data directory, and a node started on it as a new one-member cluster holds
 * every write acknowledged before the save, with its VIP, answers them in DNS, takes writes and
 * seeds a new member. A changed byte and a snapshot of another cluster are refused with nothing
 * written. The older path ({@code POST /v1/cluster/snapshot}, a checkpoint on the node's own disk)
 * still answers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BackupRestoreIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 1701;

  /** Exit code, stdout, stderr of one CLI command line. */
  private record Run(int code, String out, String err) {}

  private static Run quorumdns(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aSnapshotSavedUnderWritesRestoresEveryAcknowledgedWriteIntoANewCluster() throws Exception {
    Path files = Path.of("target", "it", "backup-files").toAbsolutePath();
    Files.createDirectories(files);
    Path saved = files.resolve("backup.tar");
    Files.deleteIfExists(saved);
    Map<String, String> acknowledgedBeforeSave;
    JsonNode savedInfo;
    try (TestCluster original = new TestCluster("backup-original", 170, 3)) {
      original.startAll();
      NodeProcess first = original.awaitLeader(Duration.ofSeconds(60));
      // A second term before the save: the backup then carries a term the new cluster's log does
      // not have, which a joiner installing the restored snapshot once took for its own (its
      // division closed on the next entry, "(t:1, i:55) < (t:2, i:54)").
      first.kill9();
      NodeProcess leader = original.awaitLeader(Duration.ofSeconds(60));
      first.start();
      NodeProcess follower =
          original.nodes().stream()
              .filter(n -> n != leader && n != first)
              .findFirst()
              .orElseThrow();
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger next = new AtomicInteger();
      Thread writer =
          new Thread(
              () -> {
                Random random = new Random(SEED);
                List<NodeProcess> nodes = original.nodes();
                while (!stop.get()) {
                  String name = "s" + next.getAndIncrement();
                  NodeProcess via = nodes.get(random.nextInt(nodes.size()));
                  NodeProcess.Reply r = via.call("PUT", "/v1/services/b/" + name, "{}");
                  if (r.status() == 201) {
                    acknowledged.put("b/" + name, r.body().get("vip4").asText());
                  }
                }
              },
              "backup-writer");
      writer.start();
      try {
        Await.until(WAIT, "40 acknowledged writes", () -> acknowledged.size() >= 40);
        NodeProcess.Reply onDisk = leader.call("POST", "/v1/cluster/snapshot", null);
        assertEquals(200, onDisk.status(), onDisk.body().toString());
        assertTrue(
            Files.isDirectory(Path.of(onDisk.body().get("directory").asText())),
            "the older backup path");
        acknowledgedBeforeSave = Map.copyOf(acknowledged);
        Run save =
            quorumdns(
                "snapshot",
                "save",
                saved.toString(),
                "--server",
                follower.ip() + ":8053",
                "-o",
                "json");
        assertEquals(0, save.code(), save.err());
        savedInfo = JSON.readTree(save.out());
        int atSave = acknowledged.size();
        Await.until(WAIT, "writes go on after the save", () -> acknowledged.size() >= atSave + 10);
      } finally {
        stop.set(true);
        writer.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertEquals("quorumdns", savedInfo.get("cluster").asText());
      assertEquals(follower.id(), savedInfo.get("node").asText());
      assertEquals(Files.size(saved), savedInfo.get("bytes").asLong());
    }

    Path damaged = files.resolve("damaged.tar");
    byte[] bytes = Files.readAllBytes(saved);
    int at = new Random(SEED).nextInt(bytes.length - 2048) + 1024;
    bytes[at] ^= 0x5a;
    Files.write(damaged, bytes);
    Path nowhere = files.resolve("not-restored");
    Run refused =
        quorumdns("snapshot", "restore", damaged.toString(), "--data-dir", nowhere.toString());
    assertEquals(
        1, refused.code(), "byte " + at + " changed (seed " + SEED + "): " + refused.err());
    assertTrue(refused.err().contains("nothing restored"), refused.err());
    assertFalse(Files.exists(nowhere));
    Run foreign =
        quorumdns(
            "snapshot",
            "restore",
            saved.toString(),
            "--data-dir",
            nowhere.toString(),
            "--cluster",
            "elsewhere");
    assertEquals(1, foreign.code(), foreign.err());
    assertTrue(
        foreign.err().contains("a snapshot of cluster 'quorumdns', not of 'elsewhere'"),
        foreign.err());
    assertFalse(Files.exists(nowhere));

    try (TestCluster restored = new TestCluster("backup-restored", 171, 1)) {
      NodeProcess seed = restored.nodes().get(0);
      Run restore =
          quorumdns("snapshot", "restore", saved.toString(), "--data-dir", seed.dir().toString());
      assertEquals(0, restore.code(), restore.err());
      assertTrue(restore.out().contains("index " + savedInfo.get("index").asLong()), restore.out());
      restored.startAll();
      NodeProcess n = restored.awaitLeader(Duration.ofSeconds(60));
      // A snapshot right after the restore (the new cluster may not have applied an entry of its
      // own yet, and then there is nothing newer than the restored snapshot to take).
      NodeProcess.Reply early = n.call("POST", "/v1/cluster/snapshot", null);
      assertEquals(200, early.status(), early.body().toString());
      Map<String, String> vips = TestCluster.vips(n);
      for (Map.Entry<String, String> w : acknowledgedBeforeSave.entrySet()) {
        assertEquals(
            w.getValue(),
            vips.getOrDefault(w.getKey(), "missing,").split(",")[0],
            "the acknowledged write " + w.getKey() + " and its VIP");
      }
      String sample = acknowledgedBeforeSave.keySet().iterator().next().substring(2);
      assertEquals(
          "NOERROR " + acknowledgedBeforeSave.get("b/" + sample),
          n.resolve(sample + ".b.mesh.internal", Type.A));
      Await.until(
          WAIT,
          "a write after the restore",
          () -> n.call("PUT", "/v1/services/b/after-restore", "{}").status() == 201);

      NodeProcess joiner = restored.addJoiner();
      joiner.start();
      Run add =
          quorumdns(
              "members", "add", joiner.id(), joiner.ip() + ":9053", "--server", n.ip() + ":8053");
      assertEquals(0, add.code(), add.err());
      int expected = TestCluster.vips(n).size();
      Await.until(
          Duration.ofSeconds(60),
          "the new member holds the restored registry",
          () -> {
            NodeProcess.Reply r = joiner.call("GET", "/v1/services?stale", null);
            return r.status() == 200 && r.body().get("services").size() == expected;
          });
      assertEquals(
          "NOERROR " + acknowledgedBeforeSave.get("b/" + sample),
          joiner.resolve(sample + ".b.mesh.internal", Type.A));
      assertTrue(
          Pattern.compile("ServerMain: quorumdns \\d+\\.\\d+\\.\\d+\\S* starting node n1 \\(Java ")
              .matcher(Files.readString(n.log()))
              .find(),
          "the node logs its version at start");
    }
  }
}
