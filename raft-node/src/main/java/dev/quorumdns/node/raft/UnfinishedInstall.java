package dev.quorumdns.node.raft;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the one piece of Raft state a snapshot install leaves behind when the node stops before the
 * install finished: Ratis writes the configuration the snapshot carries ({@code raft-meta.conf})
 * with the first chunk, before a single file of the snapshot is in place. A joiner killed there
 * starts again with no log, no snapshot, and that configuration, which is the one of the leader's
 * last snapshot and may still list this node as a voter from before it was removed. Such a node
 * campaigns, and a leader that is not bootstrapping it any more answers with "shut down": the node
 * stops for good although nothing was wrong with it but timing.
 *
 * <p>Without a log entry or a snapshot the configuration decides nothing this node knows: it has
 * acknowledged no entry, so it counts towards no commit, and the next install writes the
 * configuration again. Forgetting it makes the node what it was before the install began: a joiner
 * waiting for its leader. The term and vote (in {@code raft-meta}) stay, as Raft requires.
 */
final class UnfinishedInstall {
  static final String CONF_FILE = "raft-meta.conf";

  // Ratis' segment file names; "log_<first>-<last>" is a closed segment (it holds entries) and
  // "log_inprogress_<first>" the open one, which Ratis preallocates with zero bytes.
  private static final Pattern CLOSED_SEGMENT = Pattern.compile("log_\\d+-\\d+");
  private static final Pattern OPEN_SEGMENT = Pattern.compile("log_inprogress_\\d+");
  // Every segment starts with this header; an entry then starts with its varint length, never 0,
  // and a 0 byte is the padding after the last entry. Read by hand because Ratis keeps its segment
  // reader internal, and only this one byte is needed.
  private static final byte[] SEGMENT_HEADER = "RaftLog1".getBytes(StandardCharsets.US_ASCII);

  private UnfinishedInstall() {}

  /**
   * If the Raft storage of the group in {@code groupDir} holds a configuration but neither a log
   * entry nor a finished snapshot, deletes that configuration and returns what it was; else leaves
   * everything as it is.
   *
   * @param groupDir Ratis' directory of the group (holding {@code current/} and {@code sm/})
   */
  static Optional<String> forgetConfiguration(Path groupDir) throws IOException {
    Path current = groupDir.resolve("current");
    Path conf = current.resolve(CONF_FILE);
    if (!Files.isRegularFile(conf) || hasLogEntry(current) || hasSnapshot(groupDir.resolve("sm"))) {
      return Optional.empty();
    }
    String was = Files.size(conf) + " bytes written " + Files.getLastModifiedTime(conf);
    Files.delete(conf);
    return Optional.of(was);
  }

  /**
   * One line on what the Raft storage of the group in {@code groupDir} holds: log segments, the
   * stored configuration, snapshots. Logged at start, so a node that stops soon after says from
   * what it started (extended chaos run 5897961 could not tell a restarted joiner's).
   */
  static String describe(Path groupDir) throws IOException {
    Path current = groupDir.resolve("current");
    if (!Files.isDirectory(current)) {
      return "empty (a new member)";
    }
    List<String> segments = new ArrayList<>();
    segments(current)
        .forEach((name, hasEntry) -> segments.add(name + (hasEntry ? "" : " (no entry)")));
    Path conf = current.resolve(CONF_FILE);
    List<String> snapshots = new ArrayList<>();
    Path sm = groupDir.resolve("sm");
    if (Files.isDirectory(sm)) {
      try (Stream<Path> files = Files.list(sm)) {
        files.map(p -> p.getFileName().toString()).sorted().forEach(snapshots::add);
      }
    }
    return String.format(
        "log segments %s; %s; state-machine directory %s",
        segments.isEmpty() ? "none" : segments.size() > 4 ? summarize(segments) : segments,
        Files.isRegularFile(conf)
            ? CONF_FILE + " of " + Files.size(conf) + " bytes"
            : "no " + CONF_FILE,
        snapshots.isEmpty() ? "empty" : snapshots);
  }

  private static String summarize(List<String> segments) {
    return "["
        + segments.get(0)
        + " ... "
        + segments.get(segments.size() - 1)
        + "] ("
        + segments.size()
        + ")";
  }

  private static boolean hasLogEntry(Path current) throws IOException {
    return segments(current).containsValue(true);
  }

  /**
   * The log segments in {@code current}, by name in order, each with whether it holds an entry: a
   * closed one always does, an open one unless it is a header followed by nothing or padding.
   */
  private static SortedMap<String, Boolean> segments(Path current) throws IOException {
    SortedMap<String, Boolean> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(current)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (CLOSED_SEGMENT.matcher(name).matches()) {
          out.put(name, true);
        } else if (OPEN_SEGMENT.matcher(name).matches()) {
          out.put(name, openSegmentHasEntry(p));
        }
      }
    }
    return out;
  }

  /**
   * True unless the segment is a header followed by nothing or padding; unreadable counts as an
   * entry.
   */
  private static boolean openSegmentHasEntry(Path segment) throws IOException {
    try (InputStream in = Files.newInputStream(segment)) {
      byte[] head = in.readNBytes(SEGMENT_HEADER.length + 1);
      if (head.length <= SEGMENT_HEADER.length) {
        return false;
      }
      if (!Arrays.equals(
          head, 0, SEGMENT_HEADER.length, SEGMENT_HEADER, 0, SEGMENT_HEADER.length)) {
        return true;
      }
      return head[SEGMENT_HEADER.length] != 0;
    }
  }

  private static boolean hasSnapshot(Path sm) throws IOException {
    if (!Files.isDirectory(sm)) {
      return false;
    }
    try (Stream<Path> files = Files.list(sm)) {
      return files.anyMatch(
          p ->
              Files.isDirectory(p)
                  && CheckpointStorage.NAME.matcher(p.getFileName().toString()).matches());
    }
  }
}
