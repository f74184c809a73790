package dev.quorumdns.chaos.checker.linear;

import dev.quorumdns.chaos.history.Operation;

/**
 * A sequential specification for the linearizability search. States must be immutable values with
 * {@code equals}/{@code hashCode} (the search memoises on them). Implementations are stateless.
 */
public interface Model<S> {
  S initial();

  /**
   * The state after {@code op} takes effect in {@code state}, or null when {@code op}'s result is
   * impossible there.
   */
  S step(S state, Operation op);
}
