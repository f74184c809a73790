package dev.quorumdns.node.api;

import dev.quorumdns.node.config.Settings;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import java.time.Duration;

/**
 * How a read of services is served, from its query: linearizable (a read barrier) by default or
 * this node's copy with {@code stale}; a blocking read with {@code index=R} (this node's copy, with
 * a barrier first if {@code consistent}) waits until a change after R touches what it reads, at
 * most {@code wait} (default 5 min, at most 10 min). Immutable.
 *
 * @param index the revision a blocking read waits to pass, or null for a read that answers at once
 */
record ReadOptions(boolean stale, boolean consistent, Long index, Duration maxWait) {
  static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  static final Duration MAX_WAIT = Duration.ofMinutes(10);

  static ReadOptions of(ApiRequest r) {
    Long index = revision(r, "index");
    String w = r.param("wait");
    Duration wait = DEFAULT_WAIT;
    if (w != null) {
      if (index == null) {
        throw new ValidationException(
            "wait", "needs index (a blocking read waits for a change after index)");
      }
      try {
        wait = Settings.parseDuration("wait", w);
      } catch (ValidationException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new ValidationException(
            "wait", "'" + DnsLabel.printable(w) + "' (expected: a duration such as 30s or 5m)");
      }
      if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
        throw new ValidationException("wait", DnsLabel.printable(w) + " (expected: 0s..10m)");
      }
    }
    return new ReadOptions(r.flag("stale"), r.flag("consistent"), index, wait);
  }

  /** A non-negative revision in query parameter {@code name}, or null when absent. */
  static Long revision(ApiRequest r, String name) {
    if (!r.params().containsKey(name)) {
      return null;
    }
    String v = r.param(name);
    try {
      long n = Long.parseLong(v == null ? "" : v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ValidationException(
        name, "'" + DnsLabel.printable(v == null ? "" : v) + "' (expected: a revision, 0 or more)");
  }

  boolean blocking() {
    return index != null;
  }
}
