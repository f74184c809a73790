package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;
import java.time.Duration;

/**
 * How much of a node the watch streams may hold ({@code GET /v1/watch}): open streams per node and
 * per client address (over either: 503), how many bytes a stream may have queued unread before it
 * is dropped as too slow, and how often an idle stream hears the current revision. Immutable.
 */
public record WatchLimits(
    int maxWatchers, int maxWatchersPerClient, long bufferBytes, Duration progressInterval) {
  public static final int DEFAULT_MAX = 2048;
  public static final int DEFAULT_MAX_PER_CLIENT = 512;
  public static final long DEFAULT_BUFFER = 1L << 20;
  public static final Duration DEFAULT_PROGRESS = Duration.ofSeconds(5);

  public WatchLimits {
    if (maxWatchersPerClient > maxWatchers) {
      throw new ValidationException(
          "watch-max-per-client",
          maxWatchersPerClient + " is more than watch-max (" + maxWatchers + ")");
    }
    if (progressInterval.toMillis() < 100 || progressInterval.toMinutes() > 5) {
      throw new ValidationException(
          "watch-progress-interval", progressInterval.toMillis() + "ms (expected: 100ms..5m)");
    }
  }

  public static WatchLimits defaults() {
    return new WatchLimits(DEFAULT_MAX, DEFAULT_MAX_PER_CLIENT, DEFAULT_BUFFER, DEFAULT_PROGRESS);
  }

  /**
   * From the settings; without {@code watch-max-per-client}, a client may hold at most {@code
   * watch-max}.
   */
  static WatchLimits from(Settings s) {
    int max = s.integer("watch-max", DEFAULT_MAX, 0, 1_000_000);
    return new WatchLimits(
        max,
        s.integer("watch-max-per-client", Math.min(DEFAULT_MAX_PER_CLIENT, max), 0, 1_000_000),
        s.bytes("watch-buffer", DEFAULT_BUFFER, 16L << 10, 1L << 30),
        s.duration("watch-progress-interval", DEFAULT_PROGRESS));
  }
}
