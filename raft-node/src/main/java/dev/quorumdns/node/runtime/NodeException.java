package dev.quorumdns.node.runtime;

/**
 * A request the node could not carry out, with the kind an adapter needs to answer it (HTTP status,
 * CLI exit code) and, where one is at fault, the field. Nothing changed, except for {@link
 * Kind#OUTCOME_UNKNOWN}.
 */
public final class NodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the request was not carried out. */
  public enum Kind {
    /** No leader could be reached or this node is not a member yet: nothing happened; retry. */
    NO_QUORUM,
    /** The change was sent but its outcome did not arrive: it may still happen. */
    OUTCOME_UNKNOWN,
    /**
     * The request contradicts the cluster's state (already a member, configuration changed
     * meanwhile).
     */
    CONFLICT,
    /** No such member. */
    NOT_FOUND,
    /** A snapshot could not be taken. */
    SNAPSHOT_FAILED
  }

  private final Kind kind;
  private final String field;

  /**
   * @param field the input at fault, or null
   */
  public NodeException(Kind kind, String field, String message) {
    super(message);
    this.kind = kind;
    this.field = field;
  }

  public NodeException(Kind kind, String message) {
    this(kind, null, message);
  }

  public Kind kind() {
    return kind;
  }

  /** The input at fault, or null. */
  public String field() {
    return field;
  }
}
