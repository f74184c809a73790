package dev.quorumdns.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.HistoryJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a run's report under {@code <root>/<run>/}: history.jsonl, results.json, summary.json and
 * index.html; then replaces {@code <root>/latest/} with a copy of it. Not thread-safe: one writer
 * per root at a time.
 */
public final class RunReport {
  public static final List<String> FILES =
      List.of("history.jsonl", "results.json", "summary.json", "index.html");

  private final Path root;
  private final boolean updateLatest;
  private final ObjectMapper json =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public RunReport(Path root) {
    this(root, true);
  }

  /**
   * @param updateLatest whether this run replaces {@code latest/} (a side run may leave it alone)
   */
  public RunReport(Path root, boolean updateLatest) {
    this.root = root;
    this.updateLatest = updateLatest;
  }

  /** Writes everything and returns the summary (whose {@code report} is the HTML page's path). */
  public Summary write(RunInfo info, History history, CompositeChecker.Composite result)
      throws IOException {
    Path dir = root.resolve(info.runId());
    Files.createDirectories(dir);
    new HistoryJson().write(history, dir.resolve("history.jsonl"));
    Summary summary =
        Summary.of(info, history, result, dir.resolve("index.html").toAbsolutePath().toString());
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("run", info.runId());
    results.put("seed", info.seed());
    results.put("valid", summary.valid());
    results.put("validity", result.validity());
    results.put("anomalies", result.anomalies());
    results.put("checkers", result.results());
    results.put("checkerMillis", result.millis());
    json.writeValue(dir.resolve("results.json").toFile(), results);
    json.writeValue(dir.resolve("summary.json").toFile(), summary);
    Files.writeString(
        dir.resolve("index.html"),
        new HtmlReport().render(info, history, result, summary),
        StandardCharsets.UTF_8);
    if (updateLatest) {
      refreshLatest(dir);
    }
    return summary;
  }

  public Path latest() {
    return root.resolve("latest");
  }

  private void refreshLatest(Path dir) throws IOException {
    Path latest = latest();
    Path staging = root.resolve(".latest-" + dir.getFileName());
    deleteTree(staging);
    Files.createDirectories(staging);
    for (String file : FILES) {
      Files.copy(dir.resolve(file), staging.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(staging.resolve("RUN"), dir.getFileName() + "\n", StandardCharsets.UTF_8);
    deleteTree(latest);
    Files.move(staging, latest, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deleteTree(Path path) throws IOException {
    if (Files.isSymbolicLink(path)) {
      Files.delete(path);
      return;
    }
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
