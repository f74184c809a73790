package dev.quorumdns.registry.command;

import dev.quorumdns.registry.Service;

/**
 * What a conditional write expects of the service it changes (compare-and-set). Checked inside
 * apply against the state the entry finds, so two writers racing with the same expectation cannot
 * both win. Immutable.
 */
public sealed interface Precondition {

  /**
   * Whether the service as the entry finds it ({@code null} when nothing is registered) meets the
   * condition.
   */
  boolean holds(Service current);

  /** The service exists and was last changed at {@code revision} ({@code If-Match: <revision>}). */
  record Revision(long revision) implements Precondition {
    public Revision {
      if (revision < 1) {
        throw new IllegalArgumentException("revision " + revision + " (expected: at least 1)");
      }
    }

    @Override
    public boolean holds(Service current) {
      return current != null && current.revision() == revision;
    }
  }

  /** Nothing is registered under the key: create only ({@code If-None-Match: *}). */
  record Absent() implements Precondition {
    @Override
    public boolean holds(Service current) {
      return current == null;
    }
  }

  /** The service exists, whatever its revision: update only ({@code If-Match: *}). */
  record Present() implements Precondition {
    @Override
    public boolean holds(Service current) {
      return current != null;
    }
  }
}
