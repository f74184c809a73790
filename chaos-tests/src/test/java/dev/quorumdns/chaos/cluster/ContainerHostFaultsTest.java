package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.chaos.nemesis.HostFaults.Corruption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk-corruption scripts, run by the local shell on a made-up data directory. */
class ContainerHostFaultsTest {
  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7);
    }
    return b;
  }

  private static Path layout(Path d) throws IOException {
    Path current = Files.createDirectories(d.resolve("raft/0f1e-22/current"));
    Files.write(current.resolve("log_0-99"), bytes(1000));
    Files.write(current.resolve("log_100-199"), bytes(1000));
    byte[] open = new byte[4000]; // preallocated: zeros after the entries written
    System.arraycopy(bytes(1000), 0, open, 0, 1000);
    Files.write(current.resolve("log_inprogress_200"), open);
    Files.createDirectories(d.resolve("state"));
    Files.write(d.resolve("state/000012.sst"), bytes(1000));
    Files.createDirectories(d.resolve("raft/0f1e-22/sm/snapshot.1_500"));
    Files.createDirectories(d.resolve("raft/0f1e-22/sm/snapshot.2_1000"));
    Files.write(d.resolve("raft/0f1e-22/sm/snapshot.1_500/000010.sst"), bytes(1000));
    Files.write(d.resolve("raft/0f1e-22/sm/snapshot.2_1000/000011.sst"), bytes(1000));
    return d;
  }

  private static String sh(String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "script finished");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  private static int changedBytes(Path f) throws IOException {
    byte[] now = Files.readAllBytes(f);
    byte[] was = bytes(1000);
    int n = 0;
    for (int i = 0; i < Math.min(now.length, was.length); i++) {
      n += now[i] != was[i] ? 1 : 0;
    }
    return n;
  }

  @Test
  void tornTailCutsTheOpenSegmentOnly(@TempDir Path tmp) throws Exception {
    Path d = layout(tmp);
    String out =
        sh(ContainerHostFaults.corruptScript(d.toString(), Corruption.TORN_LOG_TAIL, 0.3, 0.5));
    assertTrue(out.contains("log_inprogress_200: zeroed the last"), out);
    byte[] now = Files.readAllBytes(d.resolve("raft/0f1e-22/current/log_inprogress_200"));
    assertEquals(4000, now.length, "the file keeps its preallocated size");
    int end = now.length;
    while (end > 0 && now[end - 1] == 0) {
      end--;
    }
    assertTrue(end < 1000 && end >= 600, "data now ends at " + end);
    assertArrayEquals(bytes(1000), Files.readAllBytes(d.resolve("raft/0f1e-22/current/log_0-99")));
  }

  @Test
  void flipsChangeOneByteOfTheChosenKindOfFile(@TempDir Path tmp) throws Exception {
    Path d = layout(tmp);
    String closed =
        sh(
            ContainerHostFaults.corruptScript(
                d.toString(), Corruption.FLIP_CLOSED_SEGMENT, 0.9, 0.25));
    assertTrue(closed.contains("log_100-199: byte 250 of 1000"), closed);
    assertEquals(1, changedBytes(d.resolve("raft/0f1e-22/current/log_100-199")));
    assertEquals(0, changedBytes(d.resolve("raft/0f1e-22/current/log_inprogress_200")));

    String store =
        sh(ContainerHostFaults.corruptScript(d.toString(), Corruption.FLIP_STORE, 0.1, 0.0));
    assertTrue(store.contains("000012.sst: byte 0 of 1000"), store);
    assertEquals(1, changedBytes(d.resolve("state/000012.sst")));

    String snap =
        sh(ContainerHostFaults.corruptScript(d.toString(), Corruption.FLIP_SNAPSHOT, 0.5, 0.999));
    assertTrue(snap.contains("snapshot.2_1000/000011.sst: byte 999"), snap);
    assertEquals(1, changedBytes(d.resolve("raft/0f1e-22/sm/snapshot.2_1000/000011.sst")));
    assertEquals(0, changedBytes(d.resolve("raft/0f1e-22/sm/snapshot.1_500/000010.sst")));
  }

  @Test
  void nothingToCorruptSaysNone(@TempDir Path tmp) throws Exception {
    for (Corruption c : Corruption.values()) {
      assertEquals(
          "none", sh(ContainerHostFaults.corruptScript(tmp.toString(), c, 0.5, 0.5)), c.name());
    }
    assertNotNull(Arrays.toString(Corruption.values()));
  }
}
