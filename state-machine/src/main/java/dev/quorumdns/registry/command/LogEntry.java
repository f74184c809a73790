package dev.quorumdns.registry.command;

import java.util.Objects;

/**
 * What the leader appends to the Raft log: a command and the leader's wall-clock time when it
 * accepted it. {@code apply} takes time only from here. Immutable.
 */
public record LogEntry(long timestampMillis, Command command) {
  public LogEntry {
    Objects.requireNonNull(command, "command");
  }
}
