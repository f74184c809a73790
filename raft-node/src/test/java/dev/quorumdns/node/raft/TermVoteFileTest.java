package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.apache.ratis.server.storage.RaftStorageMetadataFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The term-and-vote file on a full disk: a 64 KiB tmpfs (mounted for the test, so root only),
 * filled up, as the chaos suite's disk fault does to a node's data area.
 */
class TermVoteFileTest {
  private static final RaftStorageMetadata OLD =
      RaftStorageMetadata.valueOf(7, RaftPeerId.valueOf("n2"));
  private static final RaftStorageMetadata NEXT =
      RaftStorageMetadata.valueOf(8, RaftPeerId.valueOf("n1"));

  @TempDir Path dir;
  private Path mount;

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      run("umount", mount.toString());
    }
  }

  @Test
  void whatItWritesRatisReads() throws Exception {
    Path file = dir.resolve(TermVoteFile.NAME);
    TermVoteFile f = new TermVoteFile(file, (Loader) () -> OLD);
    f.persist(NEXT);
    assertEquals(NEXT, ratisLoad(file));
    assertEquals(NEXT, f.getMetadata());
    assertFalse(Files.exists(dir.resolve(TermVoteFile.NAME + ".tmp")));
  }

  @Test
  void aWriteThatFailsOnAFullDiskLeavesTheOldFile() throws Exception {
    Path file = fullDiskWith(TermVoteFile.encode(OLD));
    byte[] before = Files.readAllBytes(file);
    TermVoteFile f = new TermVoteFile(file, (Loader) () -> OLD);
    IOException e = assertThrows(IOException.class, () -> f.persist(NEXT));
    assertArrayEquals(before, Files.readAllBytes(file), e.toString());
    assertEquals(OLD, ratisLoad(file));
    assertEquals(OLD, f.getMetadata(), "a failed write changes nothing");
    assertFalse(Files.exists(file.resolveSibling(TermVoteFile.NAME + ".tmp")));
    Files.delete(file.resolveSibling("fill")); // the disk has room again
    f.persist(NEXT);
    assertEquals(NEXT, ratisLoad(file));
  }

  /**
   * The Ratis fault this class exists for: its own write, failing on a full disk, still puts the
   * (empty) temporary file in place of the good one, which then no longer reads (CI chaos run
   * short-5643221). When this fails, the pinned Ratis writes the file safely and TermVoteFile can
   * go.
   */
  @Test
  void ratisOwnWriteEmptiesTheFileWhenTheDiskIsFull() throws Exception {
    Path file = fullDiskWith(TermVoteFile.encode(OLD));
    Method write =
        ratisImpl().getDeclaredMethod("atomicWrite", RaftStorageMetadata.class, File.class);
    write.setAccessible(true);
    assertThrows(InvocationTargetException.class, () -> write.invoke(null, NEXT, file.toFile()));
    assertEquals(0, Files.size(file));
    InvocationTargetException broken =
        assertThrows(InvocationTargetException.class, () -> ratisLoad(file));
    assertEquals(IOException.class, broken.getCause().getClass(), broken.getCause().toString());
  }

  /**
   * A term-and-vote file holding {@code content} on a tmpfs mounted for this test and then filled
   * until a write fails (the filler is the file {@code fill} beside it).
   */
  private Path fullDiskWith(byte[] content) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs");
    Path m = Files.createDirectory(dir.resolve("data"));
    run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", m.toString());
    mount = m;
    Path file = m.resolve(TermVoteFile.NAME);
    TermVoteFile.replace(file, content);
    try (OutputStream fill = Files.newOutputStream(m.resolve("fill"))) {
      byte[] page = new byte[4096];
      while (true) {
        fill.write(page);
      }
    } catch (IOException full) {
      // no space left
    }
    return file;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }

  private static Class<?> ratisImpl() throws ClassNotFoundException {
    return Class.forName("org.apache.ratis.server.storage.RaftStorageMetadataFileImpl");
  }

  /** The file as Ratis reads it when it starts. */
  private static RaftStorageMetadata ratisLoad(Path file) throws Exception {
    Method load = ratisImpl().getDeclaredMethod("load", File.class);
    load.setAccessible(true);
    return (RaftStorageMetadata) load.invoke(null, file.toFile());
  }

  /** Keeps the test's loader a lambda. */
  @FunctionalInterface
  private interface Loader extends RaftStorageMetadataFile {
    RaftStorageMetadata load() throws IOException;

    @Override
    default RaftStorageMetadata getMetadata() throws IOException {
      return load();
    }

    @Override
    default void persist(RaftStorageMetadata m) {
      throw new UnsupportedOperationException();
    }
  }
}
