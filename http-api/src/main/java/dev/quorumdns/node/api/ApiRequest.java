package dev.quorumdns.node.api;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request, copied out of Netty's buffers so handlers may finish it on any thread.
 * Immutable.
 *
 * @param path decoded path segments, e.g. {@code [v1, services, prod, web]}
 * @param authorization the Authorization header, or null
 * @param remote the client's address, or null when unknown
 * @param headers the request headers the API reads (conditional writes), by lower-case name
 */
public record ApiRequest(
    String method,
    List<String> path,
    Map<String, List<String>> params,
    byte[] body,
    String authorization,
    InetSocketAddress remote,
    Map<String, String> headers) {
  public ApiRequest {
    headers = Map.copyOf(headers);
  }

  /** A request without headers other than Authorization. */
  public ApiRequest(
      String method,
      List<String> path,
      Map<String, List<String>> params,
      byte[] body,
      String authorization,
      InetSocketAddress remote) {
    this(method, path, params, body, authorization, remote, Map.of());
  }

  /** The header {@code name} (any case), or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public boolean flag(String name) {
    List<String> v = params.get(name);
    return v != null && (v.isEmpty() || v.get(0).isEmpty() || v.get(0).equalsIgnoreCase("true"));
  }

  public String param(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
