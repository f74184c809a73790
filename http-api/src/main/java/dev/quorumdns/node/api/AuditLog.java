package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.quorumdns.node.auth.Caller;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one line per write, delete, batch operation and cluster change, in {@code
 * key=value} form:
 *
 * <pre>
 * 2026-12-03T01:02:03.456Z token=deploy-bot remote=10.0.0.5:51234 method=PUT path=/v1/services/prod/web
 *   op=put target=prod/web status=201 vip4=240.0.0.7 vip6=fd00:fd00::7
 * </pre>
 *
 * (one line in the file). Values that are not plain words are JSON-quoted. Appended to its own file
 * and written through per request (no buffering); a failing file is logged once and does not fail
 * requests. Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:/\\[\\]@*,+=-]+");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final Clock clock;
  private final OutputStream out;
  private boolean failing;
  private boolean closed;

  /** What one audited request touched. Immutable. */
  public record Target(String op, String target) {}

  private AuditLog(Path file, Clock clock, OutputStream out) {
    this.file = file;
    this.clock = clock;
    this.out = out;
  }

  /** Opens {@code file} for appending, creating it (mode 600) if needed. */
  public static AuditLog open(Path file, Clock clock) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException | UnsupportedOperationException e) {
      // Kept as it is; appended to.
    }
    return new AuditLog(file, clock, append(file));
  }

  /**
   * A stream appending to {@code file}. Not a FileChannel: a channel is interruptible, and a
   * request finishing on a thread that was interrupted (a Raft client or executor shutting down)
   * closed it for good, losing every later line (CI run short-4473391, n2); a FileOutputStream's
   * write is not interruptible.
   */
  private static OutputStream append(Path file) throws IOException {
    return new FileOutputStream(file.toFile(), true);
  }

  public Path file() {
    return file;
  }

  /** Writes the lines of one finished request: one per target. */
  public void record(ApiRequest r, Caller caller, List<Target> targets, ApiResponse response) {
    String time = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
    JsonNode body = parse(response);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      b.append(time)
          .append(" token=")
          .append(value(caller == null ? "-" : caller.id()))
          .append(" remote=")
          .append(value(address(r.remote())))
          .append(" method=")
          .append(value(r.method()))
          .append(" path=")
          .append(value("/" + String.join("/", r.path())))
          .append(" op=")
          .append(value(t.op()))
          .append(" target=")
          .append(value(t.target()))
          .append(" status=")
          .append(response.status());
      if (response.status() >= 400 && body.path("error").isTextual()) {
        b.append(" error=").append(value(body.get("error").asText()));
      }
      if (t.op().equals("put") && response.status() / 100 == 2) {
        JsonNode service =
            r.path().size() == 2 ? body.path("results").path(i).path("service") : body;
        vip(b, "vip4", service.path("vip4"));
        vip(b, "vip6", service.path("vip6"));
      }
      b.append('\n');
    }
    write(b.toString());
  }

  private static void vip(StringBuilder b, String key, JsonNode v) {
    if (v.isTextual()) {
      b.append(' ').append(key).append('=').append(value(v.asText()));
    }
  }

  private synchronized void write(String lines) {
    byte[] bytes = lines.getBytes(StandardCharsets.UTF_8);
    try {
      if (closed) {
        // A write that was in flight when the API stopped (its answer came from Raft after the
        // server closed): its line is appended through a stream of its own rather than lost.
        try (OutputStream late = append(file)) {
          late.write(bytes);
        }
        return;
      }
      out.write(bytes);
      if (failing) {
        LOG.info("audit-log {} writable again", file);
        failing = false;
      }
    } catch (IOException e) {
      if (!failing) {
        LOG.error(
            "audit-log {} cannot be written ({}); audit lines are being lost", file, e.toString());
        failing = true;
      }
    }
  }

  private static JsonNode parse(ApiResponse response) {
    try {
      if (response.contentType().startsWith("application/json")) {
        return JSON.readTree(response.body());
      }
    } catch (IOException e) {
      // Not JSON after all: nothing more to log than the status.
    }
    return JSON.missingNode();
  }

  static String address(InetSocketAddress a) {
    if (a == null) {
      return "-";
    }
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /**
   * A value as written: plain words as they are, anything else JSON-quoted (so no line can be
   * forged).
   */
  static String value(String v) {
    if (v == null || v.isEmpty()) {
      return "-";
    }
    return PLAIN.matcher(v).matches() ? v : TextNode.valueOf(v).toString();
  }

  @Override
  public synchronized void close() {
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      LOG.warn("closing audit-log {}: {}", file, e.toString());
    }
  }
}
