package dev.quorumdns.node.api;

/**
 * An HTTP error answer: status, a stable machine-readable code, optionally the field at fault, and
 * a message for people. Thrown by route handlers; turned into {@code {"error","field","message"}}
 * JSON.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;
  private final String field;
  private final Integer retryAfterSeconds;
  private final Long revision;

  public ApiException(
      int status, String code, String field, String message, Integer retryAfterSeconds) {
    this(status, code, field, message, retryAfterSeconds, null);
  }

  /**
   * @param revision a revision the answer carries ({@code "revision"} in the body), or null
   */
  public ApiException(
      int status,
      String code,
      String field,
      String message,
      Integer retryAfterSeconds,
      Long revision) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
    this.revision = revision;
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(
        400, "invalid", field, (field == null ? "" : field + ": ") + message, null);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", null, message, null);
  }

  public static ApiException conflict(String code, String field, String message) {
    return new ApiException(409, code, field, (field == null ? "" : field + ": ") + message, null);
  }

  public static ApiException noQuorum(String message) {
    return new ApiException(503, "no_quorum", null, message, 1);
  }

  /**
   * 412: a conditional write found the service otherwise than expected.
   *
   * @param currentRevision the service's revision now, 0 when nothing is registered
   */
  public static ApiException preconditionFailed(
      String field, String message, long currentRevision) {
    return new ApiException(412, "precondition_failed", field, message, null, currentRevision);
  }

  public static ApiException unknownOutcome(String message) {
    return new ApiException(504, "outcome_unknown", null, message, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The revision the answer carries, or null. */
  public Long revision() {
    return revision;
  }
}
