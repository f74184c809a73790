package dev.quorumdns.chaos.report;

import static dev.quorumdns.chaos.report.Html.esc;

import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Inline SVG charts of a history: a timeline (faults on top, then per node one lane of API
 * operations and one of DNS queries, coloured by outcome) and a latency scatter (log scale), both
 * over the same time axis with fault intervals shaded. Draws at most {@code maxDrawn} operations,
 * evenly sampled. Stateless.
 */
final class TimelineSvg {
  static final int WIDTH = 1200;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int LANE = 16;
  private static final int FAULT_ROW = 14;

  private final History history;
  private final int maxDrawn;
  private final double span;

  TimelineSvg(History history, int maxDrawn) {
    this.history = history;
    this.maxDrawn = maxDrawn;
    this.span = Math.max(1, history.endNanos());
  }

  /** Number of operations actually drawn (the rest are sampled away). */
  int drawnOps() {
    return sampled().size();
  }

  String timeline() {
    List<String> nodes = nodes();
    List<List<FaultInterval>> faultRows = faultRows();
    int faultsHeight = Math.max(1, faultRows.size()) * FAULT_ROW + 6;
    int top = 20;
    int lanesTop = top + faultsHeight;
    int height = lanesTop + nodes.size() * 2 * LANE + 30;
    StringBuilder sb = open("timeline", height);
    faultBands(sb, top, height - 30);
    sb.append(label(4, top + 11, "nemesis"));
    for (int r = 0; r < faultRows.size(); r++) {
      for (FaultInterval f : faultRows.get(r)) {
        double x0 = x(f.startNanos());
        double x1 = x(Math.min(f.endNanos(), history.endNanos()));
        sb.append(
            String.format(
                Locale.ROOT,
                "<rect class=\"fault c-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>",
                f.kind().condition().wire(),
                x0,
                top + r * FAULT_ROW,
                Math.max(2, x1 - x0),
                FAULT_ROW - 2,
                esc(
                    f.id()
                        + " "
                        + f.kind().wire()
                        + " "
                        + f.nodes()
                        + " "
                        + Html.num(f.startNanos() / 1e9)
                        + "s–"
                        + (f.endNanos() == Long.MAX_VALUE
                            ? "never healed"
                            : Html.num(f.endNanos() / 1e9) + "s"))));
        sb.append(
            label(
                x0 + 2,
                top + r * FAULT_ROW + 10,
                f.kind().wire() + " " + String.join(",", f.nodes()),
                "flabel"));
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      int y = lanesTop + i * 2 * LANE;
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
              LEFT,
              y,
              WIDTH - LEFT - RIGHT,
              2 * LANE - 2));
      sb.append(label(4, y + 11, nodes.get(i) + " api"))
          .append(label(4, y + LANE + 11, nodes.get(i) + " dns"));
    }
    for (Operation op : sampled()) {
      int lane = nodes.indexOf(op.node());
      if (lane < 0) {
        continue;
      }
      boolean dns = op.f() == OpKind.RESOLVE_DNS;
      int y =
          lanesTop
              + lane * 2 * LANE
              + (dns ? LANE : 0)
              + 2
              + (int) (Math.abs(op.invoke().process()) % 4) * 3;
      double x0 = x(op.startNanos());
      double x1 = x(Math.min(op.endNanos(), history.endNanos()));
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"op k-%s o-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"3\"><title>%s</title></rect>",
              op.f().wire(),
              op.outcome().wire(),
              x0,
              y,
              Math.max(1, x1 - x0),
              esc(op.brief() + latencyText(op))));
    }
    axis(sb, height - 28);
    return sb.append("</svg>").toString();
  }

  String latency() {
    int height = 260;
    int plotTop = 10;
    int plotBottom = height - 30;
    double maxMs = 1;
    for (Operation op : sampled()) {
      if (op.latencyNanos() >= 0) {
        maxMs = Math.max(maxMs, op.latencyNanos() / 1e6);
      }
    }
    double lo = Math.log10(0.1);
    double hi = Math.log10(Math.max(10, maxMs) * 1.2);
    StringBuilder sb = open("latency", height);
    faultBands(sb, plotTop, plotBottom);
    for (double ms : new double[] {0.1, 1, 10, 100, 1000, 10000, 100000}) {
      if (Math.log10(ms) > hi) {
        break;
      }
      double y = plotBottom - (Math.log10(ms) - lo) / (hi - lo) * (plotBottom - plotTop);
      sb.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>",
              LEFT,
              WIDTH - RIGHT,
              y,
              y));
      sb.append(label(4, y + 4, (ms < 1 ? "0.1" : String.valueOf((long) ms)) + " ms"));
    }
    for (Operation op : sampled()) {
      if (op.latencyNanos() < 0) {
        continue;
      }
      double ms = Math.max(0.1, op.latencyNanos() / 1e6);
      double y = plotBottom - (Math.log10(ms) - lo) / (hi - lo) * (plotBottom - plotTop);
      sb.append(
          String.format(
              Locale.ROOT,
              "<circle class=\"op k-%s o-%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\"><title>%s</title></circle>",
              op.f().wire(),
              op.outcome().wire(),
              x(op.startNanos()),
              y,
              esc(op.brief() + latencyText(op))));
    }
    axis(sb, plotBottom + 2);
    return sb.append("</svg>").toString();
  }

  private StringBuilder open(String id, int height) {
    return new StringBuilder(64 * 1024)
        .append(
            String.format(
                Locale.ROOT,
                "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"100%%\">",
                id,
                WIDTH,
                height));
  }

  private void faultBands(StringBuilder sb, int y0, int y1) {
    for (FaultInterval f : history.faults()) {
      double x0 = x(f.startNanos());
      double x1 = x(Math.min(f.endNanos(), history.endNanos()));
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"band c-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
              f.kind().condition().wire(),
              x0,
              y0,
              Math.max(1, x1 - x0),
              y1 - y0));
    }
  }

  private void axis(StringBuilder sb, int y) {
    double seconds = span / 1e9;
    double step = niceStep(seconds / 10);
    sb.append(
        String.format(
            Locale.ROOT,
            "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>",
            LEFT,
            WIDTH - RIGHT,
            y,
            y));
    for (double t = 0; t <= seconds + 1e-9; t += step) {
      double x = x((long) (t * 1e9));
      sb.append(
          String.format(
              Locale.ROOT,
              "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>",
              x,
              x,
              y,
              y + 4));
      sb.append(label(x - 8, y + 16, Html.num(t) + "s"));
    }
  }

  private static double niceStep(double raw) {
    double[] steps = {
      0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600
    };
    for (double s : steps) {
      if (s >= raw) {
        return s;
      }
    }
    return 1800;
  }

  private double x(long nanos) {
    return LEFT + nanos / span * (WIDTH - LEFT - RIGHT);
  }

  private static String label(double x, double y, String text) {
    return label(x, y, text, "label");
  }

  private static String label(double x, double y, String text, String cls) {
    return String.format(
        Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">%s</text>", cls, x, y, esc(text));
  }

  private static String latencyText(Operation op) {
    return op.latencyNanos() < 0
        ? ""
        : String.format(Locale.ROOT, " (%.2f ms)", op.latencyNanos() / 1e6);
  }

  private List<String> nodes() {
    Set<String> nodes = new TreeSet<>();
    history
        .operations()
        .forEach(
            op -> {
              if (op.node() != null) {
                nodes.add(op.node());
              }
            });
    history.faults().forEach(f -> nodes.addAll(f.nodes()));
    return new ArrayList<>(nodes);
  }

  private List<List<FaultInterval>> faultRows() {
    List<List<FaultInterval>> rows = new ArrayList<>();
    for (FaultInterval f : history.faults()) {
      List<FaultInterval> free = null;
      for (List<FaultInterval> row : rows) {
        if (row.get(row.size() - 1).endNanos() <= f.startNanos()) {
          free = row;
          break;
        }
      }
      if (free == null) {
        free = new ArrayList<>();
        rows.add(free);
      }
      free.add(f);
    }
    return rows;
  }

  private List<Operation> sampled() {
    List<Operation> all = history.operations();
    if (all.size() <= maxDrawn) {
      return all;
    }
    List<Operation> out = new ArrayList<>(maxDrawn);
    double stride = (double) all.size() / maxDrawn;
    for (double i = 0; i < all.size() && out.size() < maxDrawn; i += stride) {
      out.add(all.get((int) i));
    }
    return out;
  }
}
