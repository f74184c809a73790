package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.config.WatchLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write answers carry {@code appliedAt}, the log time of the entry that made the change (the clock
 * VIP hold-downs run on); reads do not (a service's JSON is the same on every replica).
 */
@Timeout(60)
class AppliedAtApiTest {
  private static final String BODY =
      "{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":80}]}";

  @TempDir Path dir;
  private RegistryRuntime node;
  private ApiHarness api;

  @BeforeEach
  void start() {
    node = new RegistryRuntime(dir.resolve("state"));
    api = new ApiHarness(node, dir, WatchLimits.defaults());
  }

  @AfterEach
  void stop() {
    api.close();
    node.close();
  }

  @Test
  void putDeleteAndBatchAnswerTheLogTimeOfTheirEntry() {
    ApiHarness.Reply created = api.call("PUT", "/v1/services/a/web", BODY);
    assertEquals(201, created.status());
    long createdAt = created.body().get("appliedAt").asLong();
    // RegistryRuntime stamps entries from a counter starting at 1_700_000_000_000, one per entry.
    assertTrue(createdAt >= 1_700_000_000_000L, created.body().toString());
    assertFalse(
        api.call("GET", "/v1/services/a/web", null).body().has("appliedAt"), "not on reads");

    ApiHarness.Reply deleted = api.call("DELETE", "/v1/services/a/web", null);
    assertEquals(200, deleted.status());
    long releasedAt = deleted.body().get("appliedAt").asLong();
    assertEquals(createdAt + 1, releasedAt, deleted.body().toString());

    ApiHarness.Reply batch =
        api.call(
            "POST",
            "/v1/batch",
            "{\"operations\":[{\"op\":\"put\",\"namespace\":\"a\",\"name\":\"x\",\"service\":"
                + BODY
                + "},{\"op\":\"put\",\"namespace\":\"a\",\"name\":\"y\",\"service\":"
                + BODY
                + "}]}");
    assertEquals(200, batch.status(), batch.body().toString());
    for (var r : batch.body().get("results")) {
      assertEquals(releasedAt + 1, r.get("service").get("appliedAt").asLong(), r.toString());
    }
  }
}
