package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Who may use the HTTP API and how much of it: the token files, the audit log and the limits on
 * connections and slow requests. Immutable.
 *
 * @param apiTokenFile the legacy single token ({@code --api-token-file}), or null
 * @param tokenFile the scoped tokens ({@code --token-file}), or null
 * @param auditLog where writes and cluster changes are recorded
 * @param requestTimeout a request's head and body must arrive within this time of its first byte
 * @param maxConnections open HTTP connections this node accepts at once
 * @param maxConnectionsPerClient open HTTP connections one client address may hold at once
 * @param watch limits of the watch streams (each is also one of the connections above)
 */
public record ApiAccess(
    Path apiTokenFile,
    Path tokenFile,
    Path auditLog,
    Duration requestTimeout,
    int maxConnections,
    int maxConnectionsPerClient,
    WatchLimits watch) {
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CONNECTIONS = 4096;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 2048;

  public ApiAccess {
    if (apiTokenFile != null && tokenFile != null) {
      throw new ValidationException(
          "token-file",
          "cannot be combined with api-token-file; use token-file alone "
              + "(a token with scopes [write:*, admin] does what the api-token-file token did)");
    }
    if (requestTimeout.toMillis() < 100 || requestTimeout.toMinutes() > 10) {
      throw new ValidationException(
          "api-request-timeout", requestTimeout.toMillis() + "ms (expected: 100ms..10m)");
    }
    if (maxConnectionsPerClient > maxConnections) {
      throw new ValidationException(
          "api-max-connections-per-client",
          maxConnectionsPerClient + " is more than api-max-connections (" + maxConnections + ")");
    }
  }

  static ApiAccess from(Settings s, Path dataDir) {
    String legacy = s.string("api-token-file", null);
    String tokens = s.string("token-file", null);
    String audit = s.string("audit-log", null);
    return new ApiAccess(
        legacy == null ? null : Path.of(legacy),
        tokens == null ? null : Path.of(tokens),
        audit == null ? dataDir.resolve("audit.log") : Path.of(audit),
        s.duration("api-request-timeout", DEFAULT_REQUEST_TIMEOUT),
        s.integer("api-max-connections", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
        s.integer(
            "api-max-connections-per-client", DEFAULT_MAX_CONNECTIONS_PER_CLIENT, 1, 1_000_000),
        WatchLimits.from(s));
  }
}
