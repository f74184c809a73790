package dev.quorumdns.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's reader of snapshot archives against the node's golden archive (http-api's
 * SnapshotArchiveTest pins its bytes): what it holds; every single changed byte, a cut, another
 * tar, another file and a newer version refused; and {@code snapshot restore} building a data
 * directory, or refusing with nothing written.
 */
@Timeout(60)
class SnapshotFileTest {
  /** The node writes this archive (format version 1); its test keeps the bytes. */
  static final Path GOLDEN =
      Path.of("..", "http-api", "src", "test", "resources", "golden", "snapshot-v1.tar");

  @TempDir Path dir;

  private static byte[] golden() throws IOException {
    return Files.readAllBytes(GOLDEN);
  }

  private static SnapshotFile.Manifest read(byte[] bytes) throws Exception {
    return SnapshotFile.read(new ByteArrayInputStream(bytes), SnapshotFile.CHECK_ONLY);
  }

  private static byte[] sst() {
    byte[] sst = new byte[1300];
    new Random(42).nextBytes(sst);
    return sst;
  }

  @Test
  void theGoldenArchiveReadsAsTheNodeWroteIt() throws Exception {
    Map<String, byte[]> files = new HashMap<>();
    SnapshotFile.Manifest m =
        SnapshotFile.read(
            new ByteArrayInputStream(golden()),
            f ->
                new ByteArrayOutputStream() {
                  @Override
                  public void close() {
                    files.put(f.name(), toByteArray());
                  }
                });
    assertEquals(
        new SnapshotFile.Manifest(
            "quorumdns",
            "n2",
            3,
            1234,
            Instant.parse("2026-12-05T01:02:03Z"),
            List.of(
                new SnapshotFile.StateFile("state/000007.sst", 1300),
                new SnapshotFile.StateFile("state/CURRENT", 16))),
        m);
    assertArrayEquals(sst(), files.get("state/000007.sst"));
    assertEquals(
        "MANIFEST-000005\n", new String(files.get("state/CURRENT"), StandardCharsets.US_ASCII));
  }

  @Test
  void everyChangedByteIsRefused() throws Exception {
    long seed = 1501;
    Random random = new Random(seed);
    byte[] good = golden();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) (1 + random.nextInt(255));
      int at = i;
      SnapshotFile.SnapshotException e =
          assertThrows(
              SnapshotFile.SnapshotException.class,
              () -> read(bad),
              "byte " + at + " changed (seed " + seed + ")");
      assertFalse(e.getMessage().isBlank());
    }
  }

  @Test
  void aCutArchiveIsTruncatedWhereverItEnds() throws Exception {
    byte[] good = golden();
    for (int len : new int[] {0, 100, 512, 1000, 2048, good.length - 1024, good.length - 1}) {
      byte[] cut = Arrays.copyOf(good, len);
      SnapshotFile.SnapshotException e =
          assertThrows(SnapshotFile.SnapshotException.class, () -> read(cut), "cut at " + len);
      assertTrue(
          e.getMessage().startsWith(len == 0 ? "not a QuorumDNS snapshot" : "truncated"),
          len + ": " + e.getMessage());
    }
  }

  @Test
  void anotherTarAnotherFileAndANewerVersionAreNamedAsSuch() throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "hello\n");
    Process tar =
        new ProcessBuilder("tar", "-cf", "other.tar", "notes.txt").directory(dir.toFile()).start();
    assertTrue(tar.waitFor(30, TimeUnit.SECONDS) && tar.exitValue() == 0);
    assertTrue(
        assertThrows(
                SnapshotFile.SnapshotException.class,
                () -> read(Files.readAllBytes(dir.resolve("other.tar"))))
            .getMessage()
            .startsWith("not a QuorumDNS snapshot"));
    assertTrue(
        assertThrows(
                SnapshotFile.SnapshotException.class,
                () -> read("{\"json\": true}\n".getBytes(StandardCharsets.US_ASCII)))
            .getMessage()
            .startsWith("not a QuorumDNS snapshot"));
    String text =
        new String(golden(), StandardCharsets.ISO_8859_1)
            .replace("\"version\":1,", "\"version\":2,");
    SnapshotFile.SnapshotException newer =
        assertThrows(
            SnapshotFile.SnapshotException.class,
            () -> read(text.getBytes(StandardCharsets.ISO_8859_1)));
    assertTrue(
        newer
            .getMessage()
            .startsWith(
                "snapshot format version 2 is not one this quorumdns reads (1); use "
                    + "the quorumdns release that wrote it, or newer"),
        newer.getMessage());
  }

  /** Exit code, stdout, stderr of one command line. */
  private record Run(int code, String out, String err) {}

  private Run quorumdns(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void restoreBuildsTheStateDirectoryOfANewNode() throws Exception {
    Path file = dir.resolve("backup.tar");
    Files.write(file, golden());
    Path data = dir.resolve("n1");
    Run r =
        quorumdns(Map.of(), "snapshot", "restore", file.toString(), "--data-dir", data.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("cluster quorumdns, index 1234 (term 3)"), r.out());
    assertTrue(
        r.out().contains("quorumdns node --id ID --data-dir " + data + " --peers ID=HOST:9053\n"),
        r.out());
    assertArrayEquals(sst(), Files.readAllBytes(data.resolve("state/000007.sst")));
    assertEquals("MANIFEST-000005\n", Files.readString(data.resolve("state/CURRENT")));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(data.resolve("state/CURRENT"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    try (var s = Files.list(data)) {
      assertEquals(
          List.of(data.resolve("state")), s.toList(), "nothing else is left in the data directory");
    }
    Run again =
        quorumdns(Map.of(), "snapshot", "restore", file.toString(), "--data-dir", data.toString());
    assertEquals(2, again.code(), "a data directory that is not empty: " + again.err());
    assertTrue(
        again.err().contains("data-dir: " + data + " is not an empty directory"), again.err());
  }

  @Test
  void aDamagedOrForeignFileIsRefusedWithNothingWritten() throws Exception {
    Path data = dir.resolve("n1");
    byte[] bad = golden();
    bad[600] ^= 0x10;
    Path damaged = dir.resolve("damaged.tar");
    Files.write(damaged, bad);
    Run r =
        quorumdns(
            Map.of(), "snapshot", "restore", damaged.toString(), "--data-dir", data.toString());
    assertEquals(1, r.code());
    assertTrue(
        r.err().startsWith("quorumdns: " + damaged + ": damaged: ")
            && r.err().contains("nothing restored"),
        r.err());
    assertFalse(Files.exists(data), "nothing written");

    Path file = dir.resolve("backup.tar");
    Files.write(file, golden());
    Run foreign =
        quorumdns(
            Map.of("QUORUMDNS_CLUSTER", "staging"),
            "snapshot",
            "restore",
            file.toString(),
            "--data-dir",
            data.toString());
    assertEquals(1, foreign.code());
    assertTrue(
        foreign.err().contains("a snapshot of cluster 'quorumdns', not of 'staging'"),
        foreign.err());
    assertFalse(Files.exists(data), "nothing written");
    Files.createDirectories(data);
    Run other =
        quorumdns(
            Map.of(),
            "snapshot",
            "restore",
            file.toString(),
            "--data-dir",
            data.toString(),
            "--cluster",
            "prod");
    assertEquals(1, other.code());
    try (var s = Files.list(data)) {
      assertEquals(0, s.count(), "an existing empty directory stays empty");
    }
    Run usage = quorumdns(Map.of(), "snapshot", "restore", file.toString());
    assertEquals(2, usage.code());
    assertTrue(usage.err().contains("--data-dir"), usage.err());
    assertEquals(2, quorumdns(Map.of(), "snapshot").code(), "a subcommand is required");
    for (String sub : List.of("save", "restore")) {
      Run help = quorumdns(Map.of(), "snapshot", sub, "--help");
      assertEquals(0, help.code());
      assertTrue(help.out().startsWith("Usage: quorumdns snapshot " + sub), help.out());
    }
  }
}
