package dev.quorumdns.registry.history;

import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import java.util.Objects;

/**
 * One record of the change log: what one service looked like before and after the entry at {@code
 * revision} changed it. Every replica writes the same records, in the same write batch as the
 * change itself. Immutable.
 *
 * @param revision the Raft index of the entry that made the change (the registry revision after it)
 * @param type {@link Type#PUT} when the service exists afterwards, {@link Type#DELETE} when not
 * @param previous the service before the entry, or null if it did not exist
 * @param current the service after the entry, or null if it was deleted
 * @param logTimeMillis the leader's timestamp of the entry (what pruning measures age by)
 */
public record ServiceChange(
    long revision,
    ServiceKey key,
    Type type,
    Service previous,
    Service current,
    long logTimeMillis) {
  /** Whether the service exists after the change. */
  public enum Type {
    PUT,
    DELETE
  }

  public ServiceChange {
    if (revision <= 0) {
      throw new IllegalArgumentException("revision " + revision + " (expected: > 0)");
    }
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    if ((type == Type.PUT) != (current != null)) {
      throw new IllegalArgumentException(type + " of " + key + " with current " + current);
    }
    if (type == Type.DELETE && previous == null) {
      throw new IllegalArgumentException("delete of " + key + " without a previous service");
    }
    if (previous != null && !previous.key().equals(key)
        || current != null && !current.key().equals(key)) {
      throw new IllegalArgumentException("change of " + key + " carries another service's record");
    }
  }

  /** A put: {@code current} created ({@code previous} null) or replaced {@code previous}. */
  public static ServiceChange put(
      long revision, Service previous, Service current, long logTimeMillis) {
    return new ServiceChange(revision, current.key(), Type.PUT, previous, current, logTimeMillis);
  }

  /** A delete of {@code previous}. */
  public static ServiceChange delete(long revision, Service previous, long logTimeMillis) {
    return new ServiceChange(revision, previous.key(), Type.DELETE, previous, null, logTimeMillis);
  }
}
