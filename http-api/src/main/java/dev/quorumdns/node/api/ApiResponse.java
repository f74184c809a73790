package dev.quorumdns.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP answer: a complete one, or a head followed by a body written over time ({@code stream},
 * not null). Immutable.
 */
public record ApiResponse(
    int status, String contentType, byte[] body, Map<String, String> headers, StreamBody stream) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ApiResponse {
    headers = Map.copyOf(headers);
  }

  /** A complete answer. */
  public ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    this(status, contentType, body, headers, null);
  }

  /** A head now and {@code body} streamed after it (chunked). */
  public static ApiResponse stream(
      int status, String contentType, Map<String, String> headers, StreamBody body) {
    return new ApiResponse(status, contentType, new byte[0], headers, body);
  }

  /** This answer with one more header. */
  public ApiResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new ApiResponse(status, contentType, body, h, stream);
  }

  public static ApiResponse json(int status, JsonNode body) {
    try {
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
      byte[] withNewline = new byte[bytes.length + 1];
      System.arraycopy(bytes, 0, withNewline, 0, bytes.length);
      withNewline[bytes.length] = '\n';
      return new ApiResponse(status, "application/json", withNewline, Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a JSON answer", e);
    }
  }

  public static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** 405 with the {@code Allow} header listing what the path allows. */
  public static ApiResponse methodNotAllowed(String method, List<String> allowed) {
    String list = String.join(", ", allowed);
    ApiResponse r =
        error(
            new ApiException(
                405,
                "method_not_allowed",
                null,
                method + " is not allowed here (allowed: " + list + ")",
                null));
    return new ApiResponse(r.status, r.contentType, r.body, Map.of("Allow", list));
  }

  public static ApiResponse error(ApiException e) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("error", e.code());
    if (e.field() != null) {
      o.put("field", e.field());
    }
    o.put("message", e.getMessage());
    if (e.revision() != null) {
      o.put("revision", e.revision());
    }
    ApiResponse r = json(e.status(), o);
    if (e.status() == 401) {
      return new ApiResponse(
          r.status,
          r.contentType,
          r.body,
          Map.of("WWW-Authenticate", "Bearer realm=\"quorumdns\""));
    }
    return e.retryAfterSeconds() == null
        ? r
        : new ApiResponse(
            r.status,
            r.contentType,
            r.body,
            Map.of("Retry-After", e.retryAfterSeconds().toString()));
  }
}
