package dev.quorumdns.node.api.watch;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every change record after revision {@code after} up to and including {@code through}, as lines:
 * complete for that range (for a namespace-filtered catch-up, complete for that namespace). A
 * watcher at a position in {@code [after, through)} takes the lines after its position and moves to
 * {@code through}; one at a position below {@code after} has a gap and must catch up from the
 * change log. Immutable; its payload cache is thread-safe.
 */
final class Delivery {
  private static final String ALL = "";
  final long after;
  final long through;
  final List<ChangeLines.Line> lines;
  private final ConcurrentHashMap<String, byte[]> payloads = new ConcurrentHashMap<>();

  Delivery(long after, long through, List<ChangeLines.Line> lines) {
    if (through < after) {
      throw new IllegalArgumentException("delivery " + after + ".." + through);
    }
    this.after = after;
    this.through = through;
    this.lines = List.copyOf(lines);
  }

  /**
   * The lines of {@code namespace} (every line when null) after revision {@code position}, as one
   * array.
   */
  byte[] payload(String namespace, long position) {
    if (position <= after) {
      return payloads.computeIfAbsent(
          namespace == null ? ALL : namespace, ns -> concat(namespace, after));
    }
    return concat(namespace, position);
  }

  private byte[] concat(String namespace, long position) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ChangeLines.Line l : lines) {
      if (l.revision() > position && (namespace == null || namespace.equals(l.namespace()))) {
        out.writeBytes(l.bytes());
      }
    }
    return out.toByteArray();
  }
}
