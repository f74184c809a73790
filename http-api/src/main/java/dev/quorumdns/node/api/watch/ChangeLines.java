package dev.quorumdns.node.api.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.api.ServiceJson;
import dev.quorumdns.registry.history.ServiceChange;
import java.util.Arrays;

/**
 * The lines of a watch stream, each one JSON object and a newline:
 *
 * <pre>
 * {"revision":R,"type":"put","service":{...}}        the service after the change at R
 * {"revision":R,"type":"delete","service":{...}}     the service as it was before its delete at R
 * {"type":"progress","revision":R}                   idle: everything up to R has been sent
 * {"type":"dropped","revision":R,"error":...,...}    the last line before the node closes the stream
 * </pre>
 *
 * Stateless and thread-safe.
 */
final class ChangeLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ChangeLines() {}

  /** One change record as a line. */
  static Line change(ServiceChange c, String domain) {
    ObjectNode o = F.objectNode();
    o.put("revision", c.revision());
    boolean put = c.type() == ServiceChange.Type.PUT;
    o.put("type", put ? "put" : "delete");
    o.set("service", ServiceJson.write(put ? c.current() : c.previous(), domain));
    return new Line(c.revision(), c.key().namespace(), bytes(o));
  }

  /** Everything up to {@code revision} has been sent. */
  static byte[] progress(long revision) {
    return bytes(F.objectNode().put("type", "progress").put("revision", revision));
  }

  /**
   * The stream's last line: why it ends and where to resume.
   *
   * @param revision every change up to it was sent before this line: resume with {@code
   *     from=revision}
   * @param oldestRevision with {@code gone}: the oldest revision this node can resume from, else
   *     null
   */
  static byte[] dropped(long revision, String error, String message, Long oldestRevision) {
    ObjectNode o =
        F.objectNode().put("type", "dropped").put("revision", revision).put("error", error);
    if (oldestRevision != null) {
      o.put("oldestRevision", oldestRevision);
    }
    return bytes(o.put("message", message));
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      byte[] b = JSON.writeValueAsBytes(o);
      byte[] line = Arrays.copyOf(b, b.length + 1);
      line[b.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a watch line", e);
    }
  }

  /**
   * One encoded change: its revision, its service's namespace (for filtered streams) and its bytes.
   */
  record Line(long revision, String namespace, byte[] bytes) {}
}
