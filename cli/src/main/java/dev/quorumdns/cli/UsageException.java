package dev.quorumdns.cli;

/**
 * Bad usage of a command (exit code 2), naming the option or argument at fault; nothing was sent.
 */
public final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public UsageException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
  }

  /** The option (without dashes) or argument at fault. */
  public String field() {
    return field;
  }
}
