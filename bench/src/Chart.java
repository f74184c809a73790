import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a line chart as a self-contained SVG from a tab-separated table: the first row names the columns, the
 * first column is x, every further column is one series (an empty cell or "-" is a missing point). The bench
 * scripts write such a table next to their printed numbers and call this to chart it.
 *
 * <p>Usage: {@code Chart TABLE.tsv OUT.svg TITLE X_LABEL Y_LABEL [logx]}
 */
public final class Chart {
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  private static final int W = 640;
  private static final int H = 400;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;

  private Chart() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 5) {
      System.err.println("usage: Chart TABLE.tsv OUT.svg TITLE X_LABEL Y_LABEL [logx]");
      System.exit(2);
    }
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank()).toList();
    if (lines.size() < 2) {
      throw new IllegalArgumentException(args[0] + ": needs a header row and at least one data row");
    }
    String[] header = lines.get(0).split("\t");
    List<double[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split("\t", -1);
      double[] row = new double[header.length];
      for (int i = 0; i < header.length; i++) {
        String c = i < cells.length ? cells[i].trim() : "";
        row[i] = c.isEmpty() || c.equals("-") ? Double.NaN : Double.parseDouble(c);
      }
      rows.add(row);
    }
    boolean logx = args.length > 5 && args[5].equals("logx");
    Files.writeString(Path.of(args[1]), svg(header, rows, args[2], args[3], args[4], logx), StandardCharsets.UTF_8);
  }

  static String svg(String[] header, List<double[]> rows, String title, String xLabel, String yLabel, boolean logx) {
    double xMin = Double.MAX_VALUE;
    double xMax = -Double.MAX_VALUE;
    double yMax = 0;
    for (double[] r : rows) {
      xMin = Math.min(xMin, tx(r[0], logx));
      xMax = Math.max(xMax, tx(r[0], logx));
      for (int i = 1; i < r.length; i++) {
        if (!Double.isNaN(r[i])) {
          yMax = Math.max(yMax, r[i]);
        }
      }
    }
    if (xMax == xMin) {
      xMax = xMin + 1;
    }
    double yTop = niceCeiling(yMax == 0 ? 1 : yMax);
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(text(W / 2.0, 22, "middle", "bold", title));
    for (int t = 0; t <= 5; t++) {
      double v = yTop * t / 5;
      double y = TOP + plotH - plotH * t / 5;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          LEFT, y, W - RIGHT, y));
      s.append(text(LEFT - 6, y + 4, "end", "normal", number(v)));
    }
    for (double[] r : rows) {
      double x = LEFT + plotW * (tx(r[0], logx) - xMin) / (xMax - xMin);
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
          x, TOP, x, H - BOTTOM));
      s.append(text(x, H - BOTTOM + 16, "middle", "normal", number(r[0])));
    }
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
        + "stroke=\"#888\"/>%n", LEFT, TOP, plotW, plotH));
    s.append(text(LEFT + plotW / 2, H - 20, "middle", "normal", xLabel + (logx ? " (log scale)" : "")));
    s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
    for (int series = 1; series < header.length; series++) {
      String colour = COLOURS[(series - 1) % COLOURS.length];
      StringBuilder points = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (double[] r : rows) {
        if (Double.isNaN(r[series])) {
          continue;
        }
        double x = LEFT + plotW * (tx(r[0], logx) - xMin) / (xMax - xMin);
        double y = TOP + plotH - plotH * r[series] / yTop;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">"
            + "<title>%s: %s</title></circle>%n", x, y, colour, escape(header[series]), number(r[series])));
      }
      s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
          points.toString().trim(), colour));
      s.append(dots);
      double ly = TOP + 14 + 16 * (series - 1);
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>%n",
          LEFT + 10, ly - 4, colour));
      s.append(text(LEFT + 28, ly, "start", "normal", header[series]));
    }
    return s.append("</svg>\n").toString();
  }

  private static double tx(double x, boolean logx) {
    return logx ? Math.log10(Math.max(x, 1e-9)) : x;
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code v}. */
  static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String number(double v) {
    if (Math.abs(v) >= 1_000_000 && v % 1_000_000 == 0) {
      return String.format(Locale.ROOT, "%.0fM", v / 1_000_000);
    }
    if (Math.abs(v) >= 10_000 && v % 1000 == 0) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String text(double x, double y, String anchor, String weight, String body) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-weight=\"%s\">%s</text>%n",
        x, y, anchor, weight, escape(body));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
