package dev.quorumdns.node.raft;

import dev.quorumdns.registry.state.Snapshots;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Snapshots as RocksDB checkpoints in Ratis' state-machine directory, one sub-directory {@code
 * snapshot.<term>_<index>} each, published to Ratis as a list of files (which it streams to lagging
 * members and checks by digest). The live store sits outside this directory, because Ratis replaces
 * the whole directory when it installs a snapshot.
 *
 * <p>Threading: {@link #create} and {@link #cleanupOldSnapshots} run on the Raft apply thread;
 * {@link #getLatestSnapshot} may be called from any thread.
 */
final class CheckpointStorage implements StateMachineStorage {
  static final Pattern NAME = Pattern.compile("snapshot\\.(\\d{1,18})_(\\d{1,18})");
  private static final int MIN_RETAINED = 2;

  private volatile File smDir;
  private volatile Latest latest;

  /** A snapshot and where it lives. */
  record Latest(FileListSnapshotInfo info, Path dir) {}

  /** Writes a checkpoint into a directory that does not exist yet. */
  @FunctionalInterface
  interface CheckpointWriter {
    void write(Path target) throws IOException;
  }

  @Override
  public void init(RaftStorage storage) throws IOException {
    smDir = storage.getStorageDir().getStateMachineDir();
    Files.createDirectories(smDir.toPath());
    rescan();
  }

  /** Re-reads the directory, e.g. after Ratis installed a snapshot into it. */
  Latest rescan() throws IOException {
    Latest found = null;
    for (Path dir : snapshotDirs()) {
      TermIndex ti = termIndexOf(dir);
      if (found == null || ti.getIndex() > found.info().getIndex()) {
        found = describe(dir, ti);
      }
    }
    latest = found;
    return found;
  }

  Latest latest() {
    return latest;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    Latest l = latest;
    return l == null ? null : l.info();
  }

  /** Makes a checkpoint named for {@code ti} and publishes it as the latest snapshot. */
  Latest create(TermIndex ti, CheckpointWriter writer) throws IOException {
    Path root = smDir.toPath();
    Path target = root.resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
    if (Files.isDirectory(target)) {
      latest = describe(target, ti);
      return latest;
    }
    Path tmp = root.resolve(target.getFileName() + ".tmp");
    Snapshots.deleteTree(tmp);
    writer.write(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    latest = describe(target, ti);
    return latest;
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep =
        Math.max(MIN_RETAINED, policy == null ? MIN_RETAINED : policy.getNumSnapshotsRetained());
    List<Path> dirs = new ArrayList<>(snapshotDirs());
    dirs.sort(Comparator.comparingLong((Path p) -> termIndexOf(p).getIndex()).reversed());
    for (int i = keep; i < dirs.size(); i++) {
      Snapshots.deleteTree(dirs.get(i));
    }
    try (Stream<Path> s = Files.list(smDir.toPath())) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
        Snapshots.deleteTree(p);
      }
    }
  }

  private List<Path> snapshotDirs() throws IOException {
    if (smDir == null || !smDir.isDirectory()) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(smDir.toPath())) {
      return s.filter(Files::isDirectory)
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .toList();
    }
  }

  private static TermIndex termIndexOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a snapshot directory: " + dir);
    }
    return TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  private static Latest describe(Path dir, TermIndex ti) throws IOException {
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        if (!f.getFileName().toString().endsWith(".md5")) {
          // A null digest makes Ratis compute it while streaming the file to a follower.
          files.add(new FileInfo(f.toAbsolutePath(), null));
        }
      }
    }
    return new Latest(new FileListSnapshotInfo(files, ti), dir);
  }
}
