package dev.quorumdns.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class HistoryTest {
  @Test
  void pairsInvocationsWithCompletionsAndTreatsUnfinishedAsInfo() {
    TestHistory h = new TestHistory();
    Op a = h.invoke(1, OpKind.REGISTER, "n1", "web/a", "s1");
    Op b = h.invoke(2, OpKind.DELETE, "n2", "web/a", null);
    h.ok(a, "s1", "240.0.0.1", "created");
    History history = h.history();

    assertEquals(2, history.operations().size());
    Operation register = history.operations().get(0);
    assertTrue(register.isOk());
    assertEquals("240.0.0.1", register.vip());
    Operation delete = history.operations().get(1);
    assertEquals(b.index(), delete.start());
    assertTrue(delete.isInfo(), "never completed means unknown");
    assertEquals(Long.MAX_VALUE, delete.end());
  }

  @Test
  void recorderRefusesASecondOutstandingOperationOnOneProcess() {
    TestHistory h = new TestHistory();
    h.invoke(1, OpKind.READ_API, "n1", "web/a", null);
    assertThrows(
        IllegalStateException.class, () -> h.invoke(1, OpKind.READ_API, "n1", "web/a", null));
  }

  @Test
  void faultsBecomeIntervalsAndOpenOnesNeverEnd() {
    TestHistory h = new TestHistory();
    String kill = h.fault(FaultKind.KILL_LEADER, "n1");
    String loss = h.fault(FaultKind.PACKET_LOSS, "n1", "n2", "n3");
    h.heal(kill, FaultKind.KILL_LEADER, "n1");
    List<FaultInterval> faults = h.history().faults();

    assertEquals(2, faults.size());
    assertEquals(FaultKind.KILL_LEADER, faults.get(0).kind());
    assertTrue(faults.get(0).endNanos() < Long.MAX_VALUE);
    assertEquals(loss, faults.get(1).id());
    assertEquals(Long.MAX_VALUE, faults.get(1).endNanos());
  }

  @Test
  void jsonLinesRoundTripEveryKindOfEvent(@TempDir Path dir) throws IOException {
    TestHistory h = new TestHistory();
    h.phase("scenario", "kill-leader");
    h.put(1, "n1", "web/a", "10.1.0.5:8080", "240.0.0.1", "created");
    String f = h.fault(FaultKind.PARTITION_HALVES, "n1", "n2");
    h.info(h.invoke(2, OpKind.DELETE, "n2", "web/a", null), "timeout");
    h.dns(3, "n3", "web/a", "240.0.0.1");
    h.dnsFailed(4, "n3", "web/b", "SERVFAIL");
    h.heal(f, FaultKind.PARTITION_HALVES, "n1", "n2");
    h.readAll(5, "n1", 42, Map.of("web/a", new RegistryEntry("240.0.0.1", "10.1.0.5:8080")));
    h.status(5, "n2", 42);
    History history = h.history();
    HistoryJson json = new HistoryJson();
    Path file = dir.resolve("history.jsonl");

    json.write(history, file);
    History back = json.read(file);

    assertEquals(history.ops(), back.ops());
    assertEquals(history.ops().size(), Files.readAllLines(file).size());
    assertTrue(
        Files.readString(file).contains("\"f\":\"resolve-dns\""),
        "kinds are written in their wire form");
  }

  @Test
  void readerNamesTheBadLine() {
    String text =
        "{\"index\":0,\"type\":\"invoke\",\"process\":1,\"f\":\"read-api\",\"wallMillis\":0,\"monoNanos\":0}\n"
            + "{not json}\n";
    IOException e =
        assertThrows(IOException.class, () -> new HistoryJson().read(new StringReader(text)));
    assertTrue(e.getMessage().startsWith("history line 2"), e.getMessage());
  }

  @Test
  void concurrentRecordingKeepsEachProcessWellFormed() throws InterruptedException {
    HistoryRecorder recorder = new HistoryRecorder(Clock.systemUTC(), System::nanoTime);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    int perProcess = 500;
    for (int p = 0; p < 8; p++) {
      int process = p;
      pool.execute(
          () -> {
            for (int i = 0; i < perProcess; i++) {
              Op inv = recorder.invoke(Op.invoke(process, OpKind.RESOLVE_DNS, "n1", "web/a", null));
              recorder.complete(inv, inv.complete(OpType.OK, null, null, "NXDOMAIN"));
            }
          });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
    History history = recorder.snapshot();

    assertEquals(8 * perProcess * 2, history.size());
    assertEquals(8 * perProcess, history.operations().size());
    List<Long> times = new ArrayList<>();
    history.ops().forEach(op -> times.add(op.monoNanos()));
    for (int i = 1; i < times.size(); i++) {
      assertTrue(times.get(i) >= times.get(i - 1), "monotonic times follow index order");
    }
  }

  @Test
  void aFaultStartsAtTheInjectMarkerRightBeforeIt() {
    TestHistory h = new TestHistory();
    h.phase(History.INJECT, "kill-leader");
    h.advance(java.time.Duration.ofSeconds(2));
    String first = h.fault(FaultKind.KILL_LEADER, "n1");
    h.heal(first, FaultKind.KILL_LEADER, "n1");
    h.phase(History.INJECT, "kill-leader"); // not applicable: no start follows
    h.phase("scenario", "next");
    String second = h.fault(FaultKind.KILL_LEADER, "n2");
    h.heal(second, FaultKind.KILL_LEADER, "n2");
    History history = h.history();

    java.util.List<FaultInterval> faults = history.faults();
    assertEquals(history.phaseNanos(History.INJECT).orElseThrow(), faults.get(0).startNanos());
    assertTrue(
        faults.get(1).startNanos() > history.scenarios().lastKey(),
        "a stale marker must not move a later start");
  }
}
