package dev.quorumdns.registry;

/**
 * Bad input, naming the field at fault. Thrown while building a value; nothing has changed when it
 * is thrown.
 */
public final class ValidationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final String reason;

  public ValidationException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
    this.reason = reason;
  }

  /** The path of the offending field, such as {@code ports[2].port}. */
  public String field() {
    return field;
  }

  /** What is wrong with it, without the field name. */
  public String reason() {
    return reason;
  }

  /** The same error with {@code prefix} put in front of the field path. */
  public ValidationException within(String prefix) {
    ValidationException e = new ValidationException(prefix + "." + field, reason);
    e.setStackTrace(getStackTrace());
    return e;
  }
}
