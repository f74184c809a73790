package dev.quorumdns.node.auth;

import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;

/**
 * One permission a token may carry: {@code read}, {@code write:<namespace>}, {@code write:*} or
 * {@code admin}. Immutable; {@link #toString()} gives the form written in the token file.
 *
 * @param kind what the scope allows
 * @param namespace for {@link Kind#WRITE}: the namespace (lower case) or {@code *}; null otherwise
 */
public record Scope(Kind kind, String namespace) {
  /** What a scope allows. */
  public enum Kind {
    READ,
    WRITE,
    ADMIN
  }

  public static final Scope READ = new Scope(Kind.READ, null);
  public static final Scope ADMIN = new Scope(Kind.ADMIN, null);
  public static final Scope WRITE_ALL = new Scope(Kind.WRITE, "*");
  static final String EXPECTED = "expected: read, write:<namespace>, write:* or admin";

  public Scope {
    if (kind == null) {
      throw new ValidationException("scope", "kind is required");
    }
    if ((kind == Kind.WRITE) != (namespace != null)) {
      throw new ValidationException("scope", "a namespace goes with write, and only with write");
    }
    if (namespace != null && !namespace.equals("*")) {
      namespace = DnsLabel.normalize("scope", namespace);
    }
  }

  /** The scope needed to write services in {@code namespace}. */
  public static Scope write(String namespace) {
    return new Scope(Kind.WRITE, namespace);
  }

  /** Parses the token-file form; errors name {@code field}. */
  public static Scope parse(String field, String text) {
    String t = text == null ? "" : text.trim();
    if (t.equals("read")) {
      return READ;
    }
    if (t.equals("admin")) {
      return ADMIN;
    }
    if (t.startsWith("write:")) {
      String ns = t.substring("write:".length());
      try {
        return new Scope(Kind.WRITE, ns);
      } catch (ValidationException e) {
        throw new ValidationException(field, "'" + t + "': " + e.reason());
      }
    }
    throw new ValidationException(field, "'" + t + "' (" + EXPECTED + ")");
  }

  /** True if a holder of this scope may do what {@code needed} guards. */
  public boolean covers(Scope needed) {
    return switch (needed.kind) {
      // Anyone allowed to change the registry or the cluster may also read it.
      case READ -> true;
      case ADMIN -> kind == Kind.ADMIN;
      case WRITE ->
          kind == Kind.WRITE && (namespace.equals("*") || namespace.equals(needed.namespace));
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case READ -> "read";
      case ADMIN -> "admin";
      case WRITE -> "write:" + namespace;
    };
  }
}
