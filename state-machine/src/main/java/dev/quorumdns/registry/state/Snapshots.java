package dev.quorumdns.registry.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Swapping the live store directory for a checkpoint, crash-safely: the new store is built beside
 * the live one and renamed into place, so a crash leaves either the old or the new store, never a
 * mix. Stateless.
 */
public final class Snapshots {
  private Snapshots() {}

  static Path incoming(Path live) {
    return live.resolveSibling(live.getFileName() + ".incoming");
  }

  static Path retired(Path live) {
    return live.resolveSibling(live.getFileName() + ".old");
  }

  /** Finishes or discards a replacement that a crash interrupted. */
  static void recoverInterruptedRestore(Path live) throws IOException {
    Path incoming = incoming(live);
    if (!Files.exists(live) && Files.isDirectory(incoming)) {
      Files.move(incoming, live, StandardCopyOption.ATOMIC_MOVE);
    }
    deleteTree(incoming);
    deleteTree(retired(live));
  }

  /** Replaces the store in {@code live} with a copy of the checkpoint in {@code checkpoint}. */
  static void replaceStoreFrom(Path checkpoint, Path live) throws IOException {
    Path incoming = incoming(live);
    deleteTree(incoming);
    copyTree(checkpoint, incoming);
    Path retired = retired(live);
    deleteTree(retired);
    if (Files.exists(live)) {
      Files.move(live, retired, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(incoming, live, StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(live.getParent());
    deleteTree(retired);
  }

  /**
   * Copies a RocksDB checkpoint: immutable table files are hard-linked when the file system allows,
   * the rest copied; everything is fsynced before this returns.
   */
  public static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    List<Path> files;
    try (Stream<Path> s = Files.list(from)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      Path target = to.resolve(f.getFileName().toString());
      boolean linked = false;
      if (f.getFileName().toString().endsWith(".sst")) {
        try {
          Files.createLink(target, f);
          linked = true;
        } catch (IOException | UnsupportedOperationException e) {
          // Another file system, or no hard links: fall back to a copy.
        }
      }
      if (!linked) {
        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
      }
      try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    }
    fsyncDirectory(to);
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open directories for sync; the data files themselves are
      // synced.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /** Deletes a directory tree if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
