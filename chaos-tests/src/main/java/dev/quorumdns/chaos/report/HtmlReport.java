package dev.quorumdns.chaos.report;

import static dev.quorumdns.chaos.report.Html.esc;

import dev.quorumdns.chaos.checker.Anomaly;
import dev.quorumdns.chaos.checker.CheckResult;
import dev.quorumdns.chaos.checker.CompositeChecker;
import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML page per run: verdict, checker table, anomalies with the events that show
 * them, DNS availability, the timeline and latency charts, and the fault list. No external fetches:
 * styles, SVG and the little script are inline. Stateless.
 */
public final class HtmlReport {
  private static final int MAX_DRAWN = 25_000;
  private static final String CSS =
      """
      body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#222;background:#fafafa}
      h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:22px 0 6px}
      .verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
      .valid{background:#2e7d32}.invalid{background:#c62828}.unknown{background:#ef6c00}
      table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
      th{background:#f0f0f0} .mono{font-family:ui-monospace,monospace;font-size:12px}
      svg{background:#fff;border:1px solid #ddd;margin:4px 0}
      .label{font-size:10px;fill:#555}.flabel{font-size:9px;fill:#222;pointer-events:none}
      .lane{fill:#f6f6f6}.axis{stroke:#888}.grid{stroke:#eee}
      .op.o-ok{fill:#2e7d32}.op.o-fail{fill:#c62828}.op.o-info{fill:#ef6c00}
      circle.op.k-resolve-dns{opacity:.35} rect.op{opacity:.8}
      .fault{stroke:#333;stroke-width:.5}.band{opacity:.10}
      .c-leader-loss{fill:#d81b60}.c-quorum-lost{fill:#6a1b9a}.c-minority-down{fill:#ad1457}
      .c-partition{fill:#1565c0}.c-packet-loss{fill:#00838f}.c-membership{fill:#9e9d24}.c-healthy{fill:#999}
      .legend span{display:inline-block;margin-right:12px} .sw{display:inline-block;width:10px;height:10px;margin-right:3px}
      """;
  private static final String SCRIPT =
      """
      document.querySelectorAll('input[data-kind]').forEach(function(box){
        box.addEventListener('change',function(){
          document.querySelectorAll('.k-'+box.dataset.kind).forEach(function(el){
            el.style.display=box.checked?'':'none';});});});
      """;

  public String render(
      RunInfo info, History history, CompositeChecker.Composite result, Summary summary) {
    TimelineSvg charts = new TimelineSvg(history, MAX_DRAWN);
    StringBuilder sb = new StringBuilder(256 * 1024);
    sb.append(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>QuorumDNS chaos ")
        .append(esc(info.runId()))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body>");
    sb.append("<h1>QuorumDNS chaos run ")
        .append(esc(info.runId()))
        .append(" <span class=\"verdict ")
        .append(result.validity().wire())
        .append("\">")
        .append(result.validity().wire())
        .append("</span></h1>");
    sb.append("<div class=\"mono\">seed ")
        .append(info.seed())
        .append(" · nodes ")
        .append(esc(info.nodes()))
        .append(" · scenarios ")
        .append(esc(info.scenarios()))
        .append(" · ")
        .append(summary.operations())
        .append(" operations · ")
        .append(summary.faults())
        .append(" faults · ")
        .append(summary.anomalies())
        .append(" anomalies · ")
        .append(Html.num(summary.durationSeconds()))
        .append(" s");
    if (!summary.failoverMillis().isEmpty()) {
      sb.append(" · failover (fault → first acknowledged write) ms: ")
          .append(esc(summary.failoverMillis()));
    }
    sb.append("</div>");
    if (info.description() != null) {
      sb.append("<p>").append(esc(info.description())).append("</p>");
    }
    checkers(sb, result);
    anomalies(sb, history, result);
    availability(sb, summary);
    sb.append("<h2>Timeline</h2><div class=\"legend\">")
        .append("<span><i class=\"sw\" style=\"background:#2e7d32\"></i>ok</span>")
        .append("<span><i class=\"sw\" style=\"background:#c62828\"></i>fail</span>")
        .append("<span><i class=\"sw\" style=\"background:#ef6c00\"></i>info (unknown)</span>");
    for (OpKind kind : OpKind.values()) {
      if (kind.isClientOp()) {
        sb.append("<label><input type=\"checkbox\" checked data-kind=\"")
            .append(kind.wire())
            .append("\">")
            .append(kind.wire())
            .append("</label> ");
      }
    }
    sb.append("</div>");
    if (charts.drawnOps() < history.operations().size()) {
      sb.append("<div class=\"mono\">drawing ")
          .append(charts.drawnOps())
          .append(" of ")
          .append(history.operations().size())
          .append(" operations (evenly sampled); history.jsonl has all</div>");
    }
    sb.append(charts.timeline());
    sb.append("<h2>Latency (log scale)</h2>").append(charts.latency());
    faults(sb, history);
    sb.append("<script>").append(SCRIPT).append("</script></body></html>\n");
    return sb.toString();
  }

  private static void checkers(StringBuilder sb, CompositeChecker.Composite result) {
    sb.append(
        "<h2>Checkers</h2><table><tr><th>checker</th><th>verdict</th><th>judged</th><th>anomalies</th><th>figures</th></tr>");
    result
        .results()
        .forEach(
            (name, r) -> {
              sb.append("<tr><td>")
                  .append(esc(name))
                  .append("</td><td><span class=\"verdict ")
                  .append(r.validity().wire())
                  .append("\">")
                  .append(r.validity().wire())
                  .append("</span>");
              if (r.unknownReason() != null) {
                sb.append("<br><small>").append(esc(r.unknownReason())).append("</small>");
              }
              sb.append("</td><td>")
                  .append(r.judged() == CheckResult.NOT_REPORTED ? "?" : String.valueOf(r.judged()))
                  .append("</td><td>")
                  .append(r.anomalyCount())
                  .append("</td><td class=\"mono\">")
                  .append(esc(r.stats()))
                  .append("</td></tr>");
            });
    sb.append("</table>");
  }

  private static void anomalies(
      StringBuilder sb, History history, CompositeChecker.Composite result) {
    if (result.anomalies() == 0) {
      return;
    }
    sb.append(
        "<h2>Anomalies</h2><table><tr><th>checker</th><th>type</th><th>name</th><th>node</th><th>what</th><th>events</th></tr>");
    for (Map.Entry<String, CheckResult> e : result.results().entrySet()) {
      for (Anomaly a : e.getValue().anomalies()) {
        sb.append("<tr><td>")
            .append(esc(e.getKey()))
            .append("</td><td>")
            .append(esc(a.type()))
            .append("</td><td>")
            .append(esc(a.name() == null ? "" : a.name()))
            .append("</td><td>")
            .append(esc(a.node() == null ? "" : a.node()))
            .append("</td><td>")
            .append(esc(a.message()))
            .append("</td><td class=\"mono\">");
        for (long index : a.ops()) {
          if (index >= 0 && index < history.size()) {
            Op op = history.ops().get((int) index);
            sb.append(esc(op.brief()))
                .append(" @")
                .append(Html.num(op.monoNanos() / 1e9))
                .append("s<br>");
          }
        }
        sb.append("</td></tr>");
      }
    }
    sb.append("</table>");
  }

  private static void availability(StringBuilder sb, Summary summary) {
    sb.append(
        "<h2>DNS availability (queries answered by nodes that were up)</h2><table><tr><th>scenario</th><th>share</th></tr>");
    summary
        .dnsAvailability()
        .forEach(
            (k, v) ->
                sb.append("<tr><td>")
                    .append(esc(k))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.4f", v))
                    .append("</td></tr>"));
    sb.append("</table><br><table><tr><th>condition</th><th>share</th></tr>");
    summary
        .dnsAvailabilityByCondition()
        .forEach(
            (k, v) ->
                sb.append("<tr><td>")
                    .append(esc(k))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.4f", v))
                    .append("</td></tr>"));
    sb.append("</table>");
  }

  private static void faults(StringBuilder sb, History history) {
    sb.append(
        "<h2>Faults</h2><table><tr><th>id</th><th>kind</th><th>targets</th><th>from</th><th>to</th></tr>");
    for (FaultInterval f : history.faults()) {
      sb.append("<tr><td>")
          .append(esc(f.id()))
          .append("</td><td>")
          .append(esc(f.kind().wire()))
          .append("</td><td>")
          .append(esc(f.nodes()))
          .append("</td><td>")
          .append(Html.num(f.startNanos() / 1e9))
          .append(" s</td><td>")
          .append(
              f.endNanos() == Long.MAX_VALUE ? "never healed" : Html.num(f.endNanos() / 1e9) + " s")
          .append("</td></tr>");
    }
    sb.append("</table>");
  }
}
