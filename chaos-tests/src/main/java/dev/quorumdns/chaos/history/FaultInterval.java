package dev.quorumdns.chaos.history;

import java.util.List;

/**
 * A fault from its start event to its stop event; {@code endNanos} is {@link Long#MAX_VALUE} when
 * it was never healed. Immutable.
 */
public record FaultInterval(
    String id, FaultKind kind, List<String> nodes, long startNanos, long endNanos) {
  public FaultInterval {
    nodes = List.copyOf(nodes);
  }

  public boolean activeAt(long nanos) {
    return startNanos <= nanos && nanos < endNanos;
  }

  public boolean overlaps(long fromNanos, long toNanos) {
    return startNanos < toNanos && fromNanos < endNanos;
  }
}
