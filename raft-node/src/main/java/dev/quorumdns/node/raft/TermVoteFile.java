package dev.quorumdns.node.raft;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.apache.ratis.server.storage.RaftStorageMetadataFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Raft member's term and vote ({@code current/raft-meta}), written so that a failed write leaves
 * the last good file in place, in the format Ratis reads.
 *
 * <p>Why: Ratis 3.3 writes this file through a writer stacked on its {@code AtomicFileOutputStream}
 * and renames the temporary file over the real one when the stack is closed, even after a write in
 * it failed. On a full disk (CI chaos run short-5643221, the disk fault) a term change failed with
 * "No space left on device" and the empty temporary file replaced the good one: the node could
 * never start again ("'term' not found in properties"). Here the whole file is encoded in memory,
 * written to the temporary file, forced, and only then renamed (and the directory forced); any
 * failure deletes the temporary file and leaves the old one.
 *
 * <p>Ratis keeps its metadata file behind a private reference, so {@link #install} puts this one
 * there by reflection; a Ratis without that field keeps its own writer, with one WARN. Thread-safe.
 */
final class TermVoteFile implements RaftStorageMetadataFile {
  private static final Logger LOG = LoggerFactory.getLogger(TermVoteFile.class);
  static final String NAME = "raft-meta";

  private final Path file;
  private final RaftStorageMetadataFile loader;
  private RaftStorageMetadata current; // guarded by this

  /**
   * @param file the member's {@code current/raft-meta}
   * @param loader Ratis' own metadata file, which reads {@code file} the first time it is asked
   */
  TermVoteFile(Path file, RaftStorageMetadataFile loader) {
    this.file = file;
    this.loader = loader;
  }

  @Override
  public synchronized RaftStorageMetadata getMetadata() throws IOException {
    if (current == null) {
      current = loader.getMetadata();
    }
    return current;
  }

  @Override
  public synchronized void persist(RaftStorageMetadata next) throws IOException {
    if (next.equals(current)) {
      return;
    }
    replace(file, encode(next));
    current = next;
  }

  /** The file's bytes, as Ratis writes and reads them: a properties file with term and votedFor. */
  static byte[] encode(RaftStorageMetadata m) throws IOException {
    Properties p = new Properties();
    p.setProperty("term", Long.toString(m.getTerm()));
    p.setProperty("votedFor", m.getVotedFor().toString());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
      p.store(w, "");
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces {@code file} with {@code bytes}: written to {@code file.tmp} and forced, then renamed
   * over it, then its directory forced. Throws, with {@code file} as it was, if anything before the
   * rename fails.
   */
  static void replace(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException d) {
        e.addSuppressed(d);
      }
      throw e;
    }
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /**
   * Puts a {@link TermVoteFile} in place of {@code division}'s Ratis metadata file; true when done
   * or when this Ratis has no such field (said once here, so the caller stops asking), false while
   * the storage is not there yet.
   */
  static boolean install(RaftServer.Division division) {
    try {
      RaftStorage storage = division.getRaftStorage();
      if (storage == null) {
        return false;
      }
      Object metaFile = RatisFields.read(storage, "metaFile");
      @SuppressWarnings("unchecked")
      AtomicReference<Object> ref = (AtomicReference<Object>) RatisFields.read(metaFile, "ref");
      Object ratis = ref.get();
      if (ratis == null) {
        return false;
      }
      if (!(ratis instanceof TermVoteFile)) {
        Path file = storage.getStorageDir().getCurrentDir().toPath().resolve(NAME);
        ref.compareAndSet(ratis, new TermVoteFile(file, (RaftStorageMetadataFile) ratis));
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "Ratis' term-and-vote file cannot be replaced with this Ratis ({}); a write of it that"
              + " fails on a full disk may leave it truncated",
          e.toString());
      return true;
    }
  }

  /** Whether {@code division}'s metadata file is a {@link TermVoteFile} (tests). */
  static boolean installedIn(RaftServer.Division division) {
    return division.getRaftStorage().getMetadataFile() instanceof TermVoteFile;
  }
}
