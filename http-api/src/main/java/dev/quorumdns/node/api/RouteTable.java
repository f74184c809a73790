package dev.quorumdns.node.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's routes, in declaration order. {@link #match} finds the route of a request, or the
 * methods its path allows (405), or nothing (404). Immutable and thread-safe.
 */
final class RouteTable {
  /** The metric name of requests no route's path matches. */
  static final String UNMATCHED = "other";

  private final List<Route> routes;

  RouteTable(List<Route> routes) {
    this.routes = List.copyOf(routes);
    Set<String> seen = new LinkedHashSet<>();
    for (Route r : routes) {
      if (!seen.add(r.method() + " " + r.path())) {
        throw new IllegalArgumentException("route declared twice: " + r.method() + " " + r.path());
      }
    }
  }

  List<Route> routes() {
    return routes;
  }

  /**
   * What a request is: its route and path parameters; or, when its path is known but its method is
   * not, the methods allowed there; or neither.
   *
   * @param metric the metric name: the route's, the path's (on 405), else {@value #UNMATCHED}
   *     ({@code root} for {@code /})
   */
  record Match(Route route, Map<String, String> params, List<String> allowed, String metric) {}

  Match match(String method, List<String> path) {
    List<String> allowed = new ArrayList<>();
    String pathMetric = null;
    for (Route r : routes) {
      Map<String, String> params = r.path().match(path);
      if (params == null) {
        continue;
      }
      if (r.method().equals(method)) {
        return new Match(r, params, List.of(), r.metric());
      }
      if (pathMetric == null) {
        pathMetric = r.metric();
      }
      if (r.method().equals("GET")) {
        allowed.add("GET");
        allowed.add("HEAD");
      } else {
        allowed.add(r.method());
      }
    }
    String metric = pathMetric != null ? pathMetric : path.isEmpty() ? "root" : UNMATCHED;
    return new Match(null, Map.of(), List.copyOf(allowed), metric);
  }
}
