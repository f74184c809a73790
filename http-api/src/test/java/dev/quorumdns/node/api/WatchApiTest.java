package dev.quorumdns.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.node.config.WatchLimits;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.history.Retention;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/watch} against a real registry and the real server: every change after {@code
 * from} exactly once and in order, whether it comes from the change log (catching up, in pages) or
 * live; a namespace filter; progress lines while idle; 410 below what the change log keeps; 503
 * over the limits; a client that stops reading is dropped with a last line saying where to resume,
 * and nothing else is affected.
 */
@Timeout(60)
class WatchApiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final WatchLimits LIMITS = new WatchLimits(8, 4, 16 << 10, Duration.ofMillis(300));

  @TempDir Path dir;
  private RegistryRuntime node;
  private ApiHarness api;

  private void start(Retention retention, WatchLimits limits) {
    node = new RegistryRuntime(dir.resolve("state"), retention);
    api = new ApiHarness(node, dir, limits);
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private long put(String ns, String name, int port) {
    node.apply(
        new Command.UpsertService(
            new ServiceKey(ns, name),
            ServiceSpec.ofPorts(new ServicePort("p", Protocol.TCP, port))));
    return node.view().revision();
  }

  private long delete(String ns, String name) {
    node.apply(new Command.DeleteService(new ServiceKey(ns, name)));
    return node.view().revision();
  }

  private static String id(JsonNode line) {
    return line.get("revision").asLong()
        + " "
        + line.get("type").asText()
        + " "
        + line.get("service").get("namespace").asText()
        + "/"
        + line.get("service").get("name").asText();
  }

  @Test
  void everyChangeAfterFromOnceInOrderFromTheLogThenLive() throws IOException {
    start(Retention.DEFAULT, LIMITS);
    long start = node.view().revision();
    List<String> expected = new ArrayList<>();
    // More than a page (WatchHub.PAGE_RECORDS): the log is read in several pages.
    for (int i = 0; i < 2500; i++) {
      long r = put("a", "s" + (i % 700), i % 60000 + 1);
      expected.add(r + " put a/s" + (i % 700));
    }
    try (WatchStream w = new WatchStream(api.address(), "/v1/watch?from=" + start)) {
      assertEquals(200, w.status());
      assertEquals("application/x-ndjson", w.header("Content-Type"));
      assertEquals(Long.toString(start), w.header("X-QuorumDNS-Revision"));
      long r1 = delete("a", "s1");
      expected.add(r1 + " delete a/s1");
      for (int i = 0; i < 300; i++) {
        long r = put("b", "t" + i, 80);
        expected.add(r + " put b/t" + i);
      }
      List<String> seen = new ArrayList<>();
      while (seen.size() < expected.size()) {
        JsonNode line = w.nextChange(WAIT);
        assertNotNull(line, "the stream ended early after " + seen.size() + " changes");
        seen.add(id(line));
      }
      assertEquals(expected, seen);
      JsonNode progress = w.next(WAIT);
      assertEquals("progress", progress.get("type").asText(), "idle: a progress line");
      assertEquals(node.view().revision(), progress.get("revision").asLong());
    }
  }

  /**
   * With nobody watching, the hub moves its position without reading the change log; a stream
   * admitted while it does so, during a burst of writes that then stops, must still get every
   * change after its start (none comes later to show it a gap). Opened at a seeded random moment of
   * each burst.
   */
  @Test
  void aStreamOpenedWhileNobodyWatchesAndWritesGoOnMissesNothing() throws Exception {
    start(Retention.DEFAULT, LIMITS);
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      List<String> written = Collections.synchronizedList(new ArrayList<>());
      int burst = 50 + random.nextInt(200);
      int r0 = round;
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < burst; i++) {
                  String name = "s" + (i % 40);
                  written.add(put("race", name, r0 * 1000 + i + 1) + " put race/" + name);
                }
              });
      writer.start();
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(20_000)));
      try (WatchStream w = new WatchStream(api.address(), "/v1/watch")) {
        long start = Long.parseLong(w.header("X-QuorumDNS-Revision"));
        writer.join();
        List<String> expected =
            written.stream().filter(l -> Long.parseLong(l.split(" ")[0]) > start).toList();
        List<String> seen = new ArrayList<>();
        while (seen.size() < expected.size()) {
          JsonNode line = w.nextChange(WAIT);
          assertNotNull(
              line,
              "seed "
                  + seed
                  + ", round "
                  + round
                  + ": no change within "
                  + WAIT
                  + " after "
                  + seen.size()
                  + " of "
                  + expected.size()
                  + " (start "
                  + start
                  + ")");
          seen.add(id(line));
        }
        assertEquals(expected, seen, "seed " + seed + ", round " + round);
      }
    }
  }

  /**
   * A replica that cannot be read when the hub starts and while the last writes apply (a restarted
   * node held until it caught up) serves streams once it can be read, with no further write to
   * bring the hub back.
   */
  @Test
  void aReplicaHeldThroughItsLastWritesServesStreamsOnceReadable() throws IOException {
    node = new RegistryRuntime(dir.resolve("state"), Retention.DEFAULT);
    long start = node.view().revision();
    node.held = true;
    api = new ApiHarness(node, dir, LIMITS);
    long r1 = put("a", "x", 1);
    long r2 = put("a", "y", 2);
    node.held = false;
    long deadline = System.nanoTime() + WAIT.toNanos();
    int status;
    do {
      try (WatchStream probe = new WatchStream(api.address(), "/v1/watch?from=" + start)) {
        status = probe.status();
      }
      if (status != 200) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    } while (status != 200 && System.nanoTime() < deadline);
    assertEquals(200, status, "a watch once the replica can be read (503 while it cannot)");
    try (WatchStream w = new WatchStream(api.address(), "/v1/watch?from=" + start)) {
      assertEquals(r1 + " put a/x", id(w.nextChange(WAIT)));
      assertEquals(r2 + " put a/y", id(w.nextChange(WAIT)));
    }
  }

  @Test
  void withoutFromOnlyLaterChangesAndANamespaceFilters() throws IOException {
    start(Retention.DEFAULT, LIMITS);
    put("a", "before", 1);
    try (WatchStream all = new WatchStream(api.address(), "/v1/watch");
        WatchStream onlyB = new WatchStream(api.address(), "/v1/watch?namespace=B&from=0")) {
      assertEquals(Long.toString(node.view().revision()), all.header("X-QuorumDNS-Revision"));
      long ra = put("a", "x", 1);
      long rb = put("b", "y", 2);
      long rd = delete("b", "y");
      assertEquals(ra + " put a/x", id(all.nextChange(WAIT)));
      assertEquals(rb + " put b/y", id(all.nextChange(WAIT)));
      assertEquals(rd + " delete b/y", id(all.nextChange(WAIT)));
      JsonNode deleted = onlyB.nextChange(WAIT);
      assertEquals(rb + " put b/y", id(deleted));
      JsonNode gone = onlyB.nextChange(WAIT);
      assertEquals(rd + " delete b/y", id(gone));
      assertEquals(
          deleted.get("service").get("vip4"),
          gone.get("service").get("vip4"),
          "a delete carries the service as it was");
      JsonNode progress = onlyB.next(WAIT);
      assertEquals("progress", progress.get("type").asText());
      assertEquals(
          rd, progress.get("revision").asLong(), "progress counts every revision, filtered or not");
    }
  }

  @Test
  void aRevisionOlderThanTheLogIs410AndBadInputIs400() throws IOException {
    start(new Retention(5, 0, 64), LIMITS);
    for (int i = 0; i < 20; i++) {
      put("a", "s" + i, 1);
    }
    try (WatchStream w = new WatchStream(api.address(), "/v1/watch?from=1")) {
      assertEquals(410, w.status());
      JsonNode body = w.body();
      assertEquals("gone", body.get("error").asText());
      long oldest = body.get("oldestRevision").asLong();
      assertTrue(oldest > 1, body.toString());
      assertEquals(node.view().revision(), body.get("revision").asLong());
      try (WatchStream ok = new WatchStream(api.address(), "/v1/watch?from=" + oldest)) {
        assertEquals(200, ok.status(), "the oldest revision itself can be resumed from");
        assertNotNull(ok.nextChange(WAIT));
      }
    }
    for (String bad : List.of("from=-1", "from=x", "namespace=Bad_ns")) {
      try (WatchStream w = new WatchStream(api.address(), "/v1/watch?" + bad)) {
        assertEquals(400, w.status(), bad);
        assertEquals(bad.split("=")[0], w.body().get("field").asText());
      }
    }
  }

  @Test
  void watchesOverTheLimitsAre503() throws IOException {
    start(Retention.DEFAULT, new WatchLimits(3, 2, 16 << 10, Duration.ofSeconds(5)));
    List<WatchStream> open = new ArrayList<>();
    try {
      open.add(new WatchStream(api.address(), "/v1/watch"));
      open.add(new WatchStream(api.address(), "/v1/watch"));
      try (WatchStream third = new WatchStream(api.address(), "/v1/watch")) {
        assertEquals(503, third.status(), "two per client");
        assertEquals("too_many_watchers", third.body().get("error").asText());
        assertTrue(third.body().get("message").asText().contains("watch-max-per-client"));
      }
      open.forEach(WatchStream::close);
      open.clear();
      // Closed streams give their places back (once the server has seen the close).
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        WatchStream again = new WatchStream(api.address(), "/v1/watch");
        if (again.status() == 200 || System.nanoTime() > deadline) {
          assertEquals(200, again.status());
          open.add(again);
          break;
        }
        again.close();
        sleepBriefly();
      }
    } finally {
      open.forEach(WatchStream::close);
    }
  }

  @Test
  void aClientThatStopsReadingIsDroppedWithALastLineAndOthersGoOn() throws IOException {
    start(Retention.DEFAULT, LIMITS);
    long start = node.view().revision();
    try (WatchStream slow = new WatchStream(api.address(), "/v1/watch", 4096);
        WatchStream fast = new WatchStream(api.address(), "/v1/watch")) {
      // Big services (labels of 1000 characters) so the slow client's socket and buffer fill
      // quickly.
      Map<String, String> labels = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        labels.put("l" + i, "x".repeat(1000));
      }
      List<Long> revisions = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        node.apply(
            new Command.UpsertService(
                new ServiceKey("a", "big" + i),
                new ServiceSpec(List.of(), List.of(), labels, null, null)));
        revisions.add(node.view().revision());
        JsonNode line = fast.nextChange(WAIT);
        assertEquals(revisions.get(i), line.get("revision").asLong(), "the fast watcher keeps up");
      }
      // Now the slow one reads: what it got is in order, then the last line says where to resume.
      long last = start;
      long deadline = System.nanoTime() + WAIT.toNanos();
      JsonNode line;
      while ((line = slow.next(WAIT)) != null && !"dropped".equals(line.path("type").asText())) {
        assertTrue(
            System.nanoTime() < deadline,
            "no last line within " + WAIT + "; got up to revision " + last);
        if (!"progress".equals(line.get("type").asText())) {
          assertTrue(line.get("revision").asLong() > last, "in order");
          last = line.get("revision").asLong();
        }
      }
      assertNotNull(line, "a last line before the end");
      assertEquals("too_slow", line.get("error").asText(), line.toString());
      assertEquals(last, line.get("revision").asLong(), "resume after the last change it got");
      assertTrue(last < revisions.get(revisions.size() - 1), "it was dropped before the end");
      assertNull(slow.next(WAIT), "then the stream ends");
      assertEquals(
          1.0,
          api.meters().get("quorumdns.watch.dropped").tag("reason", "too_slow").counter().count());
    }
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
