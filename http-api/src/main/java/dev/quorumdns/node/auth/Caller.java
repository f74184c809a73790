package dev.quorumdns.node.auth;

import java.util.Set;

/**
 * Who sent a request, as far as the API knows: a token's id and scopes, or {@link #ANONYMOUS} when
 * no token was needed. Immutable.
 *
 * @param id the token's id (safe to log), or {@code -} when none was given
 * @param scopes what the caller may do
 */
public record Caller(String id, Set<Scope> scopes) {
  /** Everything is allowed: the API runs without tokens. */
  public static final Caller UNGUARDED =
      new Caller("-", Set.of(Scope.READ, Scope.WRITE_ALL, Scope.ADMIN));

  /** No token given, on a call that needs none. */
  public static final Caller ANONYMOUS = new Caller("-", Set.of(Scope.READ));

  public Caller {
    scopes = Set.copyOf(scopes);
  }

  public boolean may(Scope needed) {
    for (Scope s : scopes) {
      if (s.covers(needed)) {
        return true;
      }
    }
    return false;
  }
}
