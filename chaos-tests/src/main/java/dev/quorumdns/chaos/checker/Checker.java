package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;

/** Judges a whole history. Implementations are stateless and thread-safe. */
public interface Checker {
  /** A short stable name, used as the key in results.json. */
  String name();

  CheckResult check(History history);
}
