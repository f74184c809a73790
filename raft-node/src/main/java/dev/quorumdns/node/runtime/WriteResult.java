package dev.quorumdns.node.runtime;

import dev.quorumdns.registry.command.Outcome;

/** How a write ended, as far as this node can tell. Immutable. */
public sealed interface WriteResult {
  /** The command was applied (or refused by the registry) with this outcome. */
  record Applied(Outcome outcome) implements WriteResult {}

  /** The command was never handed to a leader: it definitely did not happen. */
  record NotSent(String reason) implements WriteResult {}

  /** The command was sent but no answer came: it may still commit. */
  record Unknown(String reason) implements WriteResult {}
}
