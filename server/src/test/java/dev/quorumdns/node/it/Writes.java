package dev.quorumdns.node.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Registers services for tests, retrying only what the API contract says may be retried, and
 * failing at once on anything else (400, 401, 404, 409, 500, ...) with the status and body.
 *
 * <p>Retried: 503 (the write was not applied: no quorum, cluster settings not written yet, too many
 * connections), 504 {@code outcome_unknown}, and no answer at all (the node could not be reached,
 * or the connection broke after the request was sent). Retrying after 504 or a broken connection is
 * safe only because a PUT of a service is idempotent: the same body again changes nothing and keeps
 * the name's VIP, so the retry either applies the write or finds it already applied (200 instead of
 * 201) — the registry ends as asked either way. Do not use this for deletes or batches. Stateless;
 * any thread.
 */
final class Writes {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final long PAUSE_MILLIS = 100;

  private Writes() {}

  /** {@code PUT /v1/services/ns/name} through {@code via} until 200 or 201, within 30 s. */
  static NodeProcess.Reply put(NodeProcess via, String ns, String name, String body) {
    return put(via, ns, name, body, null);
  }

  /**
   * As {@link #put(NodeProcess, String, String, String)}, with an {@code Authorization} header
   * (null: none).
   */
  static NodeProcess.Reply put(
      NodeProcess via, String ns, String name, String body, String authorization) {
    String path = "/v1/services/" + ns + "/" + name;
    return untilDone(
        "PUT " + path + " via " + via.id(), WAIT, () -> via.call("PUT", path, body, authorization));
  }

  /** Whether the contract allows sending the same idempotent write again after this answer. */
  static boolean retriable(int status) {
    return status == 503 || status == 504 || status == -1;
  }

  /**
   * Sends {@code attempt} until it answers 200 or 201 and returns that answer; retries (every 100
   * ms) what {@link #retriable} allows until {@code timeout}; fails at once on any other answer.
   * {@code attempt} answers status -1 when the node could not be reached (as {@link
   * NodeProcess#call} does).
   */
  static NodeProcess.Reply untilDone(
      String what, Duration timeout, Supplier<NodeProcess.Reply> attempt) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Integer> retried = new LinkedHashMap<>();
    while (true) {
      NodeProcess.Reply r = attempt.get();
      if (r.status() == 200 || r.status() == 201) {
        return r;
      }
      String answer = r.status() + " " + r.body();
      if (!retriable(r.status())) {
        throw new AssertionError(
            what
                + " answered "
                + answer
                + ", which is not to be retried"
                + (retried.isEmpty() ? "" : "; retried before: " + retried));
      }
      retried.merge(
          r.status() == -1 ? "unreachable" : Integer.toString(r.status()), 1, Integer::sum);
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            what
                + " not done within "
                + timeout.toMillis()
                + " ms; last answer "
                + answer
                + "; retried: "
                + retried);
      }
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted: " + what, e);
      }
    }
  }
}
