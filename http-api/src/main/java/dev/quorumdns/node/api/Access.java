package dev.quorumdns.node.api;

import dev.quorumdns.node.auth.Scope;

/**
 * Who may call a route: the scope it needs and, for 403 answers, what the caller is doing. Write
 * routes need {@code write:<namespace>}: of the path's {@code {ns}}, or of every namespace the body
 * names (then the handler asks, once it has parsed the body). Immutable.
 *
 * @param kind which scope
 * @param action what the caller is doing, as a 403 answer says it ("take a snapshot")
 */
record Access(Kind kind, String action) {
  /** The scopes a route can need. */
  enum Kind {
    /** No token, ever: health, readiness, metrics. */
    OPEN,
    READ,
    ADMIN,
    /** {@code write:<ns>} of the path's {@code {ns}} parameter. */
    WRITE_PATH_NAMESPACE,
    /** {@code write:<ns>} of each namespace in the body; checked by the handler. */
    WRITE_BODY_NAMESPACES,
    /** Any write scope ({@code write:<ns>} of some namespace, or {@code write:*}): leases. */
    WRITE_ANY
  }

  static Access open() {
    return new Access(Kind.OPEN, null);
  }

  static Access read() {
    return new Access(Kind.READ, "read the registry");
  }

  static Access admin(String action) {
    return new Access(Kind.ADMIN, action);
  }

  static Access writePathNamespace() {
    return new Access(Kind.WRITE_PATH_NAMESPACE, "write services");
  }

  static Access writeBodyNamespaces() {
    return new Access(Kind.WRITE_BODY_NAMESPACES, "write services");
  }

  static Access writeAny(String action) {
    return new Access(Kind.WRITE_ANY, action);
  }

  /**
   * The scope that decides whether a token is needed at all: null (open), read, a write scope or
   * admin.
   */
  Scope authentication() {
    return switch (kind) {
      case OPEN -> null;
      case READ -> Scope.READ;
      case ADMIN -> Scope.ADMIN;
      case WRITE_PATH_NAMESPACE, WRITE_BODY_NAMESPACES, WRITE_ANY -> Scope.WRITE_ALL;
    };
  }
}
