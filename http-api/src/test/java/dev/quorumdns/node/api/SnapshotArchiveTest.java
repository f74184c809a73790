package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.runtime.SnapshotCopy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot archive's bytes are pinned (format version 1; {@code -Dgolden.update=true} rewrites
 * the golden file, which also feeds the CLI's reader test), and the archive is a tar that tar
 * extracts and whose SHA256SUMS {@code sha256sum -c} accepts.
 */
@Timeout(60)
class SnapshotArchiveTest {
  static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "snapshot-v1.tar");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TempDir Path dir;

  /** The fixed copy behind the golden archive: two files, one of them longer than a block. */
  private SnapshotCopy goldenCopy(AtomicBoolean released) throws IOException {
    Files.writeString(dir.resolve("CURRENT"), "MANIFEST-000005\n");
    byte[] sst = new byte[1300];
    new Random(42).nextBytes(sst);
    Files.write(dir.resolve("000007.sst"), sst);
    return new SnapshotCopy(
        "quorumdns",
        "n2",
        3,
        1234,
        Instant.parse("2026-12-05T01:02:03Z"),
        dir,
        List.of("000007.sst", "CURRENT"),
        () -> released.set(true));
  }

  static byte[] drain(SnapshotArchive archive) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!archive.isEndOfInput()) {
      ByteBuf b = archive.readChunk(ByteBufAllocator.DEFAULT);
      if (b == null) {
        break;
      }
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      out.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void theArchiveMatchesItsGoldenBytes() throws Exception {
    AtomicBoolean released = new AtomicBoolean();
    SnapshotArchive archive = new SnapshotArchive(goldenCopy(released));
    byte[] bytes = drain(archive);
    assertEquals(archive.length(), bytes.length, "the announced length");
    assertEquals(archive.length(), archive.progress());
    assertEquals(0, bytes.length % SnapshotArchive.BLOCK);
    assertEquals("quorumdns-quorumdns-1234.tar", archive.fileName());
    archive.close();
    assertTrue(released.get(), "closing the archive releases the copy");
    if (UPDATE) {
      Files.write(GOLDEN, bytes);
    }
    assertArrayEquals(
        Files.readAllBytes(GOLDEN),
        bytes,
        "the archive differs from " + GOLDEN + ": a format change needs a new version");
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    assertTrue(text.startsWith("quorumdns-snapshot.json\0"), "the manifest comes first");
    assertTrue(
        text.contains(
            "{\"format\":\"quorumdns-snapshot\",\"version\":1,\"cluster\":\"quorumdns\",\"node\":"
                + "\"n2\",\"term\":3,\"index\":1234,\"taken\":\"2026-12-05T01:02:03Z\",\"files\":[{\"name\":"
                + "\"state/000007.sst\",\"size\":1300},{\"name\":\"state/CURRENT\",\"size\":16}]}\n"),
        text);
  }

  @Test
  void tarExtractsItAndSha256sumChecksIt() throws Exception {
    byte[] bytes = drain(new SnapshotArchive(goldenCopy(new AtomicBoolean())));
    Path tar = dir.resolve("snap.tar");
    Files.write(tar, bytes);
    Path out = Files.createDirectories(dir.resolve("out"));
    assertEquals(
        "quorumdns-snapshot.json\nstate/000007.sst\nstate/CURRENT\nSHA256SUMS\n",
        run(out, "tar", "-tf", tar.toString()));
    run(out, "tar", "-xf", tar.toString());
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("000007.sst")),
        Files.readAllBytes(out.resolve("state/000007.sst")));
    assertEquals(
        "quorumdns-snapshot.json: OK\nstate/000007.sst: OK\nstate/CURRENT: OK\n",
        run(out, "sha256sum", "-c", "SHA256SUMS"));
  }

  @Test
  void aFileThatShrankBreaksTheArchiveInsteadOfEndingItShort() throws Exception {
    SnapshotArchive archive = new SnapshotArchive(goldenCopy(new AtomicBoolean()));
    Files.write(dir.resolve("000007.sst"), new byte[10]);
    assertThrows(IOException.class, () -> drain(archive));
    assertFalse(archive.isEndOfInput());
  }

  @Test
  void aHeaderIsUstarWithItsChecksum() {
    byte[] h = SnapshotArchive.header("state/000001.sst", 1300, 1_796_432_523L);
    assertEquals(512, h.length);
    assertEquals("ustar\u000000", new String(h, 257, 8, StandardCharsets.US_ASCII));
    assertEquals(
        "00000002424\0", new String(h, 124, 12, StandardCharsets.US_ASCII), "size in octal");
    long sum = 0;
    for (int i = 0; i < h.length; i++) {
      sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
    }
    assertEquals(sum, Long.parseLong(new String(h, 148, 6, StandardCharsets.US_ASCII), 8));
  }

  private static String run(Path cwd, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), List.of(cmd).toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), new ArrayList<>(List.of(cmd)) + ": " + out);
    return out;
  }
}
