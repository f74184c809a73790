package dev.quorumdns.node.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's path, such as {@code /v1/services/{ns}/{name}}: literal segments and named parameters,
 * one segment each. Matches decoded path segments exactly (same count). Immutable.
 */
record PathPattern(String text, List<String> segments) {
  PathPattern {
    segments = List.copyOf(segments);
  }

  static PathPattern of(String text) {
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("a path pattern starts with /: " + text);
    }
    return new PathPattern(
        text, text.length() == 1 ? List.of() : List.of(text.substring(1).split("/")));
  }

  /** The parameters of {@code path} by name if it matches, else null. */
  Map<String, String> match(List<String> path) {
    if (path.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      if (s.startsWith("{") && s.endsWith("}")) {
        if (params == null) {
          params = new HashMap<>();
        }
        params.put(s.substring(1, s.length() - 1), path.get(i));
      } else if (!s.equals(path.get(i))) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }

  @Override
  public String toString() {
    return text;
  }
}
