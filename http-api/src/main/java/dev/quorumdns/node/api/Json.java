package dev.quorumdns.node.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;

/** Request-body parsing with tight limits on nesting and sizes. Thread-safe. */
final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(16)
                      .maxStringLength(64 * 1024)
                      .maxNumberLength(32)
                      .maxNameLength(1024)
                      .build())
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build());

  private Json() {}

  static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new ValidationException("body", "is empty (expected: a JSON object)");
    }
    try {
      JsonNode n = MAPPER.readTree(body);
      return n == null ? MissingNode.getInstance() : n;
    } catch (IOException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      throw new ValidationException("body", "is not valid JSON: " + msg);
    }
  }
}
