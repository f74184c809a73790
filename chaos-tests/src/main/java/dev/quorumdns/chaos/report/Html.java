package dev.quorumdns.chaos.report;

import java.util.Locale;

/** Escaping and number formatting for the report page. Stateless. */
final class Html {
  private Html() {}

  static String esc(Object o) {
    String s = String.valueOf(o);
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  static String num(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }
}
