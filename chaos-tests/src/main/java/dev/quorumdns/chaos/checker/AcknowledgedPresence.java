package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When a name must exist: from the end of an acknowledged PUT until the start of the first delete
 * of it that did not fail (and so may have taken effect). An NXDOMAIN for the name from a query
 * that begins and ends inside such a window is a wrong answer: the node served a registry that
 * lacks an acknowledged registration (lagging, or lost it). Intervals are in event indices, as in
 * {@link NameOps}. Immutable; built per check.
 */
final class AcknowledgedPresence {
  /**
   * [from, to] in event indices: the name is registered throughout; {@code fromNanos} is when the
   * registration was acknowledged.
   */
  private record Window(long from, long to, long fromNanos) {}

  private final Map<String, List<Window>> windows = new TreeMap<>();

  AcknowledgedPresence(History history) {
    for (NameOps ops : NameOps.of(history).values()) {
      List<Window> list = new ArrayList<>();
      for (Operation put : ops.puts()) {
        if (!put.isOk()) {
          continue;
        }
        long until = Long.MAX_VALUE;
        for (Operation d : ops.deletes()) {
          if (d.end() > put.start()) {
            until = Math.min(until, d.start());
          }
        }
        if (until > put.end()) {
          list.add(new Window(put.end(), until, put.endNanos()));
        }
      }
      if (!list.isEmpty()) {
        windows.put(ops.name(), list);
      }
    }
  }

  /** True when {@code query} answered NXDOMAIN although its name was registered throughout it. */
  boolean wrongNxdomain(Operation query) {
    return acknowledgedBefore(query) >= 0;
  }

  /**
   * How long before {@code query} started its name's registration was acknowledged (nanoseconds,
   * the longest such time) when the query answered NXDOMAIN although the name was registered
   * throughout it; -1 when the answer is not such a denial.
   */
  long acknowledgedBefore(Operation query) {
    if (!query.isOk() || !NameOps.isNxdomain(query) || query.completion() == null) {
      return -1;
    }
    long longest = -1;
    for (Window w : windows.getOrDefault(query.name(), List.of())) {
      if (query.start() > w.from() && query.end() < w.to()) {
        longest = Math.max(longest, Math.max(0, query.startNanos() - w.fromNanos()));
      }
    }
    return longest;
  }
}
