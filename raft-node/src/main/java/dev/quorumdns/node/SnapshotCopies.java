package dev.quorumdns.node;

import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.SnapshotCopy;
import dev.quorumdns.registry.state.Snapshots;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies of snapshots held for downloads, under {@code <data-dir>/snapshot-downloads/}: each a
 * directory of hard links to one snapshot's checkpoint files (a copy where links are not possible),
 * so that the node's snapshot retention, which deletes all but the newest snapshots, cannot pull
 * files from under a download. RocksDB checkpoint files never change once written, so the links
 * hold the snapshot as it was. Copies left by a node that stopped mid-download are deleted at
 * start. Thread-safe.
 */
final class SnapshotCopies {
  static final String DIR = "snapshot-downloads";
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCopies.class);
  private static final int ATTEMPTS = 3;
  private final Path root;
  private final AtomicLong sequence = new AtomicLong();

  /** Takes a snapshot of the replica; throws when it cannot. */
  @FunctionalInterface
  interface Snapshotter {
    RaftRuntime.Snapshot take() throws IOException;
  }

  SnapshotCopies(Path dataDir) {
    this.root = dataDir.resolve(DIR);
  }

  /** Deletes the copies a previous run left behind (a node stopped mid-download). */
  void removeLeftovers() throws IOException {
    if (Files.isDirectory(root)) {
      Snapshots.deleteTree(root);
    }
  }

  /**
   * Takes a snapshot and holds a copy of it; a snapshot deleted by retention before it was linked
   * is taken again. Fails with {@link NodeException.Kind#SNAPSHOT_FAILED}.
   */
  SnapshotCopy take(Snapshotter snapshotter, String cluster, String nodeId, Instant now) {
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      RaftRuntime.Snapshot s;
      try {
        s = snapshotter.take();
      } catch (IOException e) {
        throw new NodeException(NodeException.Kind.SNAPSHOT_FAILED, e.getMessage());
      }
      Path dir = root.resolve(s.index() + "-" + sequence.incrementAndGet());
      try {
        List<String> files = link(s.directory(), dir);
        LOG.info("holding snapshot {} (term {}) for a download in {}", s.index(), s.term(), dir);
        return new SnapshotCopy(
            cluster, nodeId, s.term(), s.index(), now, dir, files, () -> release(dir));
      } catch (NoSuchFileException e) {
        last = e;
        release(dir);
      } catch (IOException e) {
        release(dir);
        throw new NodeException(
            NodeException.Kind.SNAPSHOT_FAILED,
            "cannot hold snapshot " + s.index() + " for a download in " + dir + ": " + e);
      }
    }
    throw new NodeException(
        NodeException.Kind.SNAPSHOT_FAILED,
        "snapshots were replaced faster than they could be "
            + "held for a download ("
            + last
            + ")");
  }

  /**
   * Links (or copies) every file of the checkpoint in {@code from} into the new directory {@code
   * to}; their names, sorted.
   */
  private static List<String> link(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(from)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".md5")) {
          continue; // Ratis' digests of a snapshot installed from the leader, not part of the
          // checkpoint
        }
        try {
          Files.createLink(to.resolve(name), f);
        } catch (NoSuchFileException e) {
          throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
          // Another file system, or no hard links on this one.
          Files.copy(f, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
        names.add(name);
      }
    }
    if (names.isEmpty()) {
      throw new NoSuchFileException(from.toString(), null, "the snapshot holds no files");
    }
    return names;
  }

  private static void release(Path dir) {
    try {
      Snapshots.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("cannot delete the download copy {}: {}", dir, e.toString());
    }
  }
}
