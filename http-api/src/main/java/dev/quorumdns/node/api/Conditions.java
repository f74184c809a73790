package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Precondition;

/**
 * The preconditions of conditional writes (compare-and-set), as clients send them:
 *
 * <ul>
 *   <li>{@code If-Match: <revision>} (quoted or not, as the {@code ETag} of a read or write
 *       answer): the service exists at that revision; {@code If-Match: *}: the service exists;
 *   <li>{@code If-None-Match: *} (PUT only): nothing is registered under the name (create only);
 *   <li>{@code ?cas=R}: as {@code If-Match: R}, and {@code ?cas=0} creates only;
 *   <li>in a batch operation, {@code "ifMatch": R} or {@code "*"}, {@code "ifNoneMatch": "*"} (put
 *       only).
 * </ul>
 *
 * At most one per write; a malformed one is a 400 naming it. Stateless.
 */
final class Conditions {
  private Conditions() {}

  /**
   * A write's precondition (null for none) and the header or parameter it came from (null for
   * none).
   */
  record Condition(Precondition precondition, String field) {}

  static Condition ofRequest(ApiRequest r, boolean delete) {
    String ifMatch = r.header("If-Match");
    String ifNoneMatch = r.header("If-None-Match");
    boolean cas = r.params().containsKey("cas");
    String given = null;
    for (String[] f :
        new String[][] {
          {"If-Match", ifMatch}, {"If-None-Match", ifNoneMatch}, {"cas", cas ? "" : null}
        }) {
      if (f[1] != null) {
        if (given != null) {
          throw new ValidationException(
              f[0], "cannot be combined with " + given + " (one precondition per write)");
        }
        given = f[0];
      }
    }
    if (ifMatch != null) {
      return new Condition(ifMatch(ifMatch, "If-Match"), "If-Match");
    }
    if (ifNoneMatch != null) {
      return new Condition(ifNoneMatch(ifNoneMatch, "If-None-Match", delete), "If-None-Match");
    }
    if (cas) {
      long revision = ReadOptions.revision(r, "cas");
      if (revision == 0 && delete) {
        throw new ValidationException("cas", "0 means create only, which a delete cannot be");
      }
      return new Condition(
          revision == 0 ? new Precondition.Absent() : new Precondition.Revision(revision), "cas");
    }
    return new Condition(null, null);
  }

  /** The precondition of one batch operation ({@code ifMatch} or {@code ifNoneMatch}), or null. */
  static Precondition ofOperation(JsonNode op, boolean delete) {
    JsonNode ifMatch = op.get("ifMatch");
    JsonNode ifNoneMatch = op.get("ifNoneMatch");
    if (ifMatch != null && !ifMatch.isNull() && ifNoneMatch != null && !ifNoneMatch.isNull()) {
      throw new ValidationException(
          "ifNoneMatch", "cannot be combined with ifMatch (one precondition per " + "operation)");
    }
    if (ifMatch != null && !ifMatch.isNull()) {
      if (ifMatch.isIntegralNumber() && ifMatch.canConvertToLong()) {
        return ifMatch(Long.toString(ifMatch.longValue()), "ifMatch");
      }
      if (ifMatch.isTextual()) {
        return ifMatch(ifMatch.textValue(), "ifMatch");
      }
      throw new ValidationException("ifMatch", ifMatch + " (expected: a revision, or \"*\")");
    }
    if (ifNoneMatch != null && !ifNoneMatch.isNull()) {
      if (!ifNoneMatch.isTextual()) {
        throw new ValidationException("ifNoneMatch", ifNoneMatch + " (expected: \"*\")");
      }
      return ifNoneMatch(ifNoneMatch.textValue(), "ifNoneMatch", delete);
    }
    return null;
  }

  private static Precondition ifMatch(String value, String field) {
    String v = value.trim();
    if (v.equals("*")) {
      return new Precondition.Present();
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    try {
      long revision = Long.parseLong(v);
      if (revision >= 1) {
        return new Precondition.Revision(revision);
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ValidationException(
        field,
        "'"
            + DnsLabel.printable(value)
            + "' (expected: the revision the "
            + "service is at, such as \"42\", or * for any; to create only, send If-None-Match: *)");
  }

  private static Precondition ifNoneMatch(String value, String field, boolean delete) {
    if (delete) {
      throw new ValidationException(field, "a delete cannot require the service to be absent");
    }
    if (!value.trim().equals("*")) {
      throw new ValidationException(
          field, "'" + DnsLabel.printable(value) + "' (expected: *, create only)");
    }
    return new Precondition.Absent();
  }
}
