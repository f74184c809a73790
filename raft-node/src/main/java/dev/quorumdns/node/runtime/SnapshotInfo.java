package dev.quorumdns.node.runtime;

import java.nio.file.Path;

/**
 * A snapshot of this node's replica on disk. Immutable.
 *
 * @param index the last log index it holds
 * @param directory the RocksDB checkpoint (absolute): copy it away for a backup
 */
public record SnapshotInfo(long index, Path directory) {}
