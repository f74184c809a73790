package dev.quorumdns.chaos.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.checker.ConvergenceChecker;
import dev.quorumdns.chaos.checker.DnsAvailabilityChecker;
import dev.quorumdns.chaos.checker.DnsTimeTravelChecker;
import dev.quorumdns.chaos.checker.FinalReadsChecker;
import dev.quorumdns.chaos.checker.LinearizabilityChecker;
import dev.quorumdns.chaos.checker.VipStabilityChecker;
import dev.quorumdns.chaos.checker.VipUniquenessChecker;
import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryJson;
import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RunReportTest {
  private final ObjectMapper mapper = new ObjectMapper();

  static History smallRun(boolean loseAWrite) {
    TestHistory h = new TestHistory();
    h.phase("scenario", "kill-leader");
    h.put(1, "n1", "web/a", "s1", "240.0.0.1", "created");
    for (int i = 0; i < 20; i++) {
      h.dns(2, "n" + (1 + i % 3), "web/a", "240.0.0.1");
    }
    String kill = h.fault(FaultKind.KILL_LEADER, "n1");
    h.advance(Duration.ofMillis(400));
    h.put(1, "n2", "web/b", "s1", "240.0.0.2", "created");
    h.dnsFailed(2, "n1", "web/a", "timeout");
    h.dns(2, "n3", "web/b", "240.0.0.2");
    h.heal(kill, FaultKind.KILL_LEADER, "n1");
    h.phase("heal", null);
    h.phase("final", null);
    Map<String, RegistryEntry> all =
        Map.of(
            "web/a",
            new RegistryEntry("240.0.0.1", "s1"),
            "web/b",
            new RegistryEntry("240.0.0.2", "s1"));
    for (String node : List.of("n1", "n2", "n3")) {
      Map<String, RegistryEntry> seen =
          loseAWrite && node.equals("n3") ? Map.of("web/a", all.get("web/a")) : all;
      h.readAll(3, node, 2, seen);
      h.status(3, node, 2);
    }
    return h.history();
  }

  private static CompositeChecker.Composite check(History history) {
    // A small hand-made run of single writes and A answers: the checkers of that workload (the
    // standard set also judges AAAA, PTR, batches and hold-down returns, which it has none of).
    return new CompositeChecker(
            List.of(
                new LinearizabilityChecker(),
                new VipStabilityChecker(),
                new VipUniquenessChecker(),
                new FinalReadsChecker(),
                new ConvergenceChecker(Duration.ofSeconds(5)),
                new DnsTimeTravelChecker(),
                new DnsAvailabilityChecker(0.99, Duration.ofSeconds(10))))
        .check(history);
  }

  @Test
  void writesRunFilesSummaryAndLatest(@TempDir Path root) throws IOException {
    History history = smallRun(false);
    RunInfo info =
        new RunInfo("run-1", 42, List.of("n1", "n2", "n3"), List.of("kill-leader"), "unit test");
    CompositeChecker.Composite result = check(history);
    Summary summary = new RunReport(root).write(info, history, result);

    for (String file : RunReport.FILES) {
      assertTrue(Files.size(root.resolve("run-1").resolve(file)) > 0, file);
      assertTrue(Files.exists(root.resolve("latest").resolve(file)), "latest/" + file);
    }
    assertTrue(summary.valid(), () -> result.results().toString());
    JsonNode json = mapper.readTree(root.resolve("latest/summary.json").toFile());
    assertTrue(json.get("valid").asBoolean());
    assertEquals(1, json.get("faults").asInt());
    assertEquals(history.operations().size(), json.get("operations").asInt());
    assertEquals(0, json.get("anomalies").asInt());
    assertEquals(1.0, json.get("dnsAvailability").get("kill-leader").asDouble());
    assertEquals(history.ops(), new HistoryJson().read(root.resolve("run-1/history.jsonl")).ops());
    assertEquals("run-1", Files.readString(root.resolve("latest/RUN")).trim());
  }

  @Test
  void invalidRunIsReportedWithItsAnomaliesAndLatestMovesOn(@TempDir Path root) throws IOException {
    RunReport report = new RunReport(root);
    report.write(
        new RunInfo("good", 1, List.of("n1"), List.of(), null),
        smallRun(false),
        check(smallRun(false)));
    History bad = smallRun(true);
    Summary summary =
        report.write(
            new RunInfo("bad", 2, List.of("n1", "n2", "n3"), List.of("kill-leader"), null),
            bad,
            check(bad));

    assertFalse(summary.valid());
    assertTrue(summary.anomalies() > 0);
    JsonNode json = mapper.readTree(root.resolve("latest/summary.json").toFile());
    assertFalse(json.get("valid").asBoolean());
    assertEquals(2, json.get("seed").asLong());
    JsonNode results = mapper.readTree(root.resolve("bad/results.json").toFile());
    assertEquals("invalid", results.get("checkers").get("final-reads").get("validity").asText());
    String html = Files.readString(root.resolve("latest/index.html"));
    assertTrue(html.contains("lost-write"), "anomalies are listed on the page");
  }

  @Test
  void pageIsSelfContained(@TempDir Path root) throws IOException {
    History history = smallRun(false);
    new RunReport(root)
        .write(
            new RunInfo("r", 7, List.of("n1", "n2", "n3"), List.of("kill-leader"), null),
            history,
            check(history));
    String html = Files.readString(root.resolve("r/index.html"));

    assertTrue(html.contains("<svg id=\"timeline\""));
    assertTrue(html.contains("<svg id=\"latency\""));
    assertTrue(html.contains("kill-leader n1"), "faults are labelled on the timeline");
    assertFalse(
        Pattern.compile("(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(),
        "no external resources");
    assertFalse(html.contains("@import"));
    assertFalse(
        html.replace("http://www.w3.org/2000/svg", "").contains("http"), "no network addresses");
  }
}
