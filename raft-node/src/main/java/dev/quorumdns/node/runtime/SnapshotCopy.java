package dev.quorumdns.node.runtime;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A consistent copy of this node's replica, held on disk for a download (a backup to take home):
 * the files of one snapshot's RocksDB checkpoint, kept apart from the snapshots the node itself
 * keeps and deletes. The files do not change until the copy is closed; closing deletes it.
 * Thread-safe; {@link #close} may be called more than once.
 */
public final class SnapshotCopy implements AutoCloseable {
  private final String cluster;
  private final String nodeId;
  private final long term;
  private final long index;
  private final Instant taken;
  private final Path directory;
  private final List<String> files;
  private final Runnable release;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param cluster the cluster's name ({@code cluster}), which a restore checks
   * @param term the Raft term of the last entry the copy holds
   * @param index the Raft index of the last entry the copy holds
   * @param directory where the files are
   * @param files the file names in {@code directory}, sorted
   * @param release deletes the copy; run once, by the first {@link #close}
   */
  public SnapshotCopy(
      String cluster,
      String nodeId,
      long term,
      long index,
      Instant taken,
      Path directory,
      List<String> files,
      Runnable release) {
    this.cluster = cluster;
    this.nodeId = nodeId;
    this.term = term;
    this.index = index;
    this.taken = taken;
    this.directory = directory;
    this.files = List.copyOf(files);
    this.release = release;
  }

  public String cluster() {
    return cluster;
  }

  /** The node the copy was taken on. */
  public String nodeId() {
    return nodeId;
  }

  public long term() {
    return term;
  }

  public long index() {
    return index;
  }

  public Instant taken() {
    return taken;
  }

  public Path directory() {
    return directory;
  }

  /** The checkpoint's file names, relative to {@link #directory}, sorted. */
  public List<String> files() {
    return files;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
