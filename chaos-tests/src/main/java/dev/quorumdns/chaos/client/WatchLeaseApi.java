package dev.quorumdns.chaos.client;

import dev.quorumdns.chaos.history.OpType;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The watch stream and the lease calls as the watch and lease workloads use them, addressed by node
 * id. Implementations are thread-safe and never throw for a node's failure.
 */
public interface WatchLeaseApi {
  /**
   * One line of a watch stream.
   *
   * @param type {@code put}, {@code delete}, {@code progress} or {@code dropped}
   * @param name {@code ns/name} of a change, else null
   * @param spec the canonical endpoints of the service in a change line (sorted, comma-separated)
   * @param error a dropped line's error ({@code too_slow}, {@code gone})
   * @param oldestRevision a {@code gone} dropped line's oldest revision
   */
  record WatchLine(
      String type,
      long revision,
      String name,
      String spec,
      String vip,
      String error,
      Long oldestRevision) {
    public boolean isChange() {
      return "put".equals(type) || "delete".equals(type);
    }
  }

  /**
   * How a watch call ended.
   *
   * @param result {@code gone} (410 before the stream began: {@code oldestRevision} set), {@code
   *     closed} (the node closed the stream), {@code idle} (no line for too long), {@code stopped},
   *     or an error code ({@code unreachable}, {@code io}, {@code http_503})
   * @param connected whether the stream began (200 and headers)
   */
  record WatchEnd(String result, boolean connected, Long oldestRevision, String error) {}

  /**
   * Streams {@code GET /v1/watch?from=R} from {@code node}, giving every line to {@code sink} as it
   * arrives, until the stream ends, goes idle for {@code idle}, or {@code stop} turns true. {@code
   * onConnected} runs once the stream's headers arrived.
   */
  WatchEnd watch(
      String node,
      long from,
      Duration idle,
      Runnable onConnected,
      Consumer<WatchLine> sink,
      BooleanSupplier stop);

  /**
   * A lease call's outcome, classified the Jepsen way.
   *
   * @param result {@code granted}, {@code renewed}, {@code found}, {@code revoked}, {@code
   *     registered}, {@code not_found} (ok: the lease is gone), or an error code
   * @param id the lease id (grant)
   * @param vip the service's VIP (register)
   */
  record LeaseReply(OpType type, String result, String id, String vip, String error) {
    public static LeaseReply ok(String result, String id, String vip) {
      return new LeaseReply(OpType.OK, result, id, vip, null);
    }

    public static LeaseReply fail(String code, String error) {
      return new LeaseReply(OpType.FAIL, code, null, null, error);
    }

    public static LeaseReply info(String code, String error) {
      return new LeaseReply(OpType.INFO, code, null, null, error);
    }
  }

  LeaseReply grant(String node, Duration ttl);

  LeaseReply keepAlive(String node, String id);

  LeaseReply read(String node, String id);

  LeaseReply revoke(String node, String id);

  /**
   * PUT of service {@code name} with a plain endpoint and one held by lease {@code id}; ok result
   * {@code registered} with the VIP.
   */
  LeaseReply register(
      String node, String name, String plainEndpoint, String leasedEndpoint, String id);
}
