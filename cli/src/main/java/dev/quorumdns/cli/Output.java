package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Tables for people: services and the cluster, columns aligned. Writes to one stream; not
 * thread-safe.
 */
final class Output {
  private static final List<String> SERVICE_COLUMNS =
      List.of("NAMESPACE", "NAME", "VIP4", "VIP6", "PORTS", "REVISION");
  private final PrintWriter out;

  Output(PrintWriter out) {
    this.out = out;
  }

  /** One service ({@code get}, {@code register}, {@code deregister}). */
  void service(JsonNode s) {
    table(SERVICE_COLUMNS, List.of(serviceRow(s)));
  }

  /** {@code {revision, services:[...]}}. */
  void services(JsonNode list) {
    List<List<String>> rows = new ArrayList<>();
    list.path("services").forEach(s -> rows.add(serviceRow(s)));
    table(SERVICE_COLUMNS, rows);
    out.println(rows.size() + " services, registry revision " + list.path("revision").asText());
  }

  private static List<String> serviceRow(JsonNode s) {
    List<String> ports = new ArrayList<>();
    s.path("ports")
        .forEach(
            p ->
                ports.add(
                    (p.path("name").isTextual() ? p.get("name").asText() + ":" : "")
                        + p.path("protocol").asText()
                        + ":"
                        + p.path("port").asText()));
    return List.of(
        s.path("namespace").asText(),
        s.path("name").asText(),
        s.path("vip4").asText("-"),
        s.path("vip6").isTextual() ? s.get("vip6").asText() : "-",
        ports.isEmpty() ? "-" : String.join(",", ports),
        s.path("revision").asText());
  }

  /** One line of text. */
  void line(String text) {
    out.println(text);
  }

  /** {@code /v1/cluster}: the leader and indexes, then one row per member. */
  void cluster(JsonNode c) {
    out.println(
        "node "
            + c.path("id").asText()
            + ": leader "
            + text(c.path("leader"))
            + ", term "
            + text(c.path("term"))
            + ", commit "
            + text(c.path("commitIndex"))
            + ", applied "
            + text(c.path("appliedIndex"))
            + ", revision "
            + text(c.path("revision"))
            + ", "
            + c.path("services").asText()
            + " services");
    if (c.path("formation").isTextual()) {
      out.println("forming: " + c.get("formation").asText());
    }
    boolean health = false;
    for (JsonNode m : c.path("members")) {
      health |= m.has("healthy");
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode m : c.path("members")) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  m.path("id").asText(),
                  m.path("role").asText(),
                  text(m.path("raft")),
                  text(m.path("api")),
                  text(m.path("dns"))));
      if (health) {
        row.addAll(
            List.of(
                m.has("lastContactMs") ? m.get("lastContactMs").asText() + "ms" : "-",
                text(m.path("logLag")),
                text(m.path("healthy")),
                text(m.path("autopilot"))));
      }
      rows.add(row);
    }
    table(
        health
            ? List.of("ID", "ROLE", "RAFT", "API", "DNS", "CONTACT", "LAG", "HEALTHY", "AUTOPILOT")
            : List.of("ID", "ROLE", "RAFT", "API", "DNS"),
        rows);
    JsonNode autopilot = c.path("autopilot");
    if (autopilot.path("decision").isTextual()) {
      out.println("autopilot: " + autopilot.get("decision").asText());
    }
    if (autopilot.path("lastAction").isTextual()) {
      out.println("last change: " + autopilot.get("lastAction").asText());
    }
  }

  private static String text(JsonNode v) {
    return v.isMissingNode() || v.isNull() ? "-" : v.asText();
  }

  void table(List<String> headers, List<List<String>> rows) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    line(headers, width);
    rows.forEach(r -> line(r, width));
  }

  private void line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      b.append(cells.get(i));
      if (i < cells.size() - 1) {
        b.append(" ".repeat(width[i] - cells.get(i).length() + 2));
      }
    }
    out.println(b);
  }
}
