package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.auth.Caller;
import dev.quorumdns.node.auth.Scope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-03T01:02:03.456789Z"), ZoneOffset.UTC);

  private static ApiRequest request(String method, List<String> path) {
    return new ApiRequest(
        method,
        path,
        Map.of(),
        new byte[0],
        "Bearer do-not-log-me-0123456789",
        new InetSocketAddress("10.0.0.5", 51234));
  }

  /** An unguarded PUT of prod/{@code name}, answered 200. */
  private static void recordPut(AuditLog log, String name) {
    log.record(
        request("PUT", List.of("v1", "services", "prod", name)),
        Caller.UNGUARDED,
        List.of(new AuditLog.Target("put", "prod/" + name)),
        ApiResponse.json(200, JsonNodeFactory.instance.objectNode()));
  }

  @Test
  void oneLinePerTargetWithWhoWhereWhatAndTheVip(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(file, CLOCK)) {
      ObjectNode svc =
          JsonNodeFactory.instance.objectNode().put("vip4", "240.0.0.7").put("vip6", "fd00::7");
      log.record(
          request("PUT", List.of("v1", "services", "prod", "web")),
          new Caller("ci", Set.of(Scope.READ)),
          List.of(new AuditLog.Target("put", "prod/web")),
          ApiResponse.json(201, svc));
      log.record(
          request("DELETE", List.of("v1", "services", "prod", "web\nforged line")),
          Caller.UNGUARDED,
          List.of(new AuditLog.Target("delete", "prod/web\nforged line")),
          ApiResponse.error(new ApiException(403, "forbidden", null, "no", null)));
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertEquals(
        "2026-12-03T01:02:03.456Z token=ci remote=10.0.0.5:51234 method=PUT path=/v1/services/prod/web "
            + "op=put target=prod/web status=201 vip4=240.0.0.7 vip6=fd00::7",
        lines.get(0));
    assertEquals(
        "2026-12-03T01:02:03.456Z token=- remote=10.0.0.5:51234 method=DELETE "
            + "path=\"/v1/services/prod/web\\nforged line\" op=delete target=\"prod/web\\nforged line\" status=403 "
            + "error=forbidden",
        lines.get(1));
    assertTrue(lines.stream().noneMatch(l -> l.contains("do-not-log-me")));
  }

  @Test
  void appendsToWhatIsThere(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("audit.log");
    Files.writeString(file, "earlier line\n");
    try (AuditLog log = AuditLog.open(file, CLOCK)) {
      log.record(
          request("POST", List.of("v1", "cluster", "snapshot")),
          Caller.UNGUARDED,
          List.of(new AuditLog.Target("snapshot", "-")),
          ApiResponse.json(200, JsonNodeFactory.instance.objectNode()));
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals("earlier line", lines.get(0));
    assertTrue(lines.get(1).endsWith("op=snapshot target=- status=200"), lines.get(1));
  }

  /**
   * A write answered after the API closed (its outcome came from Raft late) still leaves its line.
   */
  @Test
  void aRequestFinishingAfterCloseIsStillAudited(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("audit.log");
    AuditLog log = AuditLog.open(file, CLOCK);
    log.close();
    recordPut(log, "late");
    List<String> lines = Files.readAllLines(file);
    assertEquals(1, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("op=put target=prod/late status=200"), lines.get(0));
  }

  /**
   * A request finishing on an interrupted thread (a Raft client or executor shutting down) leaves
   * its line, and the lines after it are not lost (CI run short-4473391: an interruptible channel
   * was closed by the interrupt for good).
   */
  @Test
  void anInterruptedThreadLosesNoLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(file, CLOCK)) {
      Thread.currentThread().interrupt();
      try {
        recordPut(log, "a");
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt is left for the caller");
      }
      recordPut(log, "b");
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("target=prod/a"), lines.get(0));
    assertTrue(lines.get(1).contains("target=prod/b"), lines.get(1));
  }
}
