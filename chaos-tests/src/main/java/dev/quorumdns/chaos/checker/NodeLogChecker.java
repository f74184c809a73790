package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.nemesis.ClockNemeses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Every node's log is free of errors nobody expected: each ERROR line, each WARN line that carries
 * an exception, and each stack trace printed outside a log line (e.g. {@code Exception in thread})
 * must match an entry of a short, reviewed allow-list (one resource, {@link #ALLOW_LIST}, a reason
 * per entry: errors that faults are expected to cause, such as a refused connection to a killed
 * peer); anything else is an anomaly. What it cannot see: errors a node never logs, log lines lost
 * with a killed process's unflushed output, and a problem whose text happens to match an allowed
 * pattern.
 *
 * <p>An entry can be scoped to faults ({@code during disk-full,disk-corrupt: pattern ## reason}):
 * then it allows a line only on a node that was a target of such a fault when the line was written
 * (from the fault's start to {@link #SCOPE_GRACE_MILLIS} after it was healed, by the log line's
 * time), so "No space left on device" passes while the disk is full and fails anywhere else. A
 * node's log time is its own clock: around a clock fault on that node the window is widened by
 * {@link #CLOCK_SKEW_MILLIS} each way. Immutable.
 */
public final class NodeLogChecker {
  /** The allow-list resource: {@code pattern ## reason} per line, {@code #} comments. */
  public static final String ALLOW_LIST = "/dev/quorumdns/chaos/log-allow-list.txt";

  private static final Pattern LOG_LINE =
      Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+ +(TRACE|DEBUG|INFO|WARN|ERROR) +(.*)$");
  private static final Pattern THROWABLE =
      Pattern.compile(
          "^(Caused by: )?([\\w$]+\\.)+[\\w$]*(Exception|Error|Throwable)\\b.*"
              + "|^Exception in thread .*");

  /**
   * How long after a fault was healed its scoped entries still apply: healing a disk fault ends
   * with the node started again, and what it logs while it comes back belongs to the fault.
   */
  public static final long SCOPE_GRACE_MILLIS = 30_000;

  private static final Pattern SCOPE = Pattern.compile("^during ([a-z-]+(?:,[a-z-]+)*): (.*)$");

  /**
   * One allowed kind of problem; with {@code during} not empty, only on a node under one of those
   * faults (their wire names).
   */
  public record Allowed(Pattern pattern, String reason, Set<String> during) {
    public Allowed {
      during = Set.copyOf(during);
    }

    public Allowed(Pattern pattern, String reason) {
      this(pattern, reason, Set.of());
    }
  }

  /**
   * A problem found in a log: its node, line number, text (log line + first exception), and the
   * time of its log line (epoch ms; for a trace outside a log line, the last log line's; -1 if
   * none).
   */
  public record Problem(String node, int line, String text, long wallMillis) {}

  /** A fault on one node, by wall-clock time (epoch ms), with the fault's wire name. */
  public record FaultWindow(String kind, long fromMillis, long toMillis) {}

  private final List<Allowed> allowed;

  public NodeLogChecker(List<Allowed> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  /** The entries this checker allows. */
  public List<Allowed> allowed() {
    return allowed;
  }

  /** With the suite's reviewed allow-list. */
  public static NodeLogChecker standard() {
    try (InputStream in = NodeLogChecker.class.getResourceAsStream(ALLOW_LIST)) {
      if (in == null) {
        throw new IllegalStateException("allow-list " + ALLOW_LIST + " is not on the class path");
      }
      return new NodeLogChecker(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses {@code pattern ## reason} lines; blank lines and {@code #} comments are skipped. */
  public static List<Allowed> parse(String text) {
    List<Allowed> out = new ArrayList<>();
    for (String raw : text.split("\n", -1)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sep = line.indexOf(" ## ");
      if (sep < 0 || line.substring(sep + 4).isBlank()) {
        throw new IllegalArgumentException("allow-list entry without a reason: " + line);
      }
      String pattern = line.substring(0, sep).strip();
      Set<String> during = Set.of();
      var scoped = SCOPE.matcher(pattern);
      if (scoped.matches()) {
        during = Set.of(scoped.group(1).split(","));
        pattern = scoped.group(2).strip();
      }
      out.add(new Allowed(Pattern.compile(pattern), line.substring(sep + 4), during));
    }
    return out;
  }

  public String name() {
    return "node-logs";
  }

  /** Judges each node's whole log (node id → text), with no fault windows. */
  public CheckResult check(Map<String, String> logs) {
    return check(logs, Map.of());
  }

  /**
   * Judges each node's whole log (node id → text); {@code faults} (node id → its faults) decide
   * where scoped entries apply.
   */
  public CheckResult check(Map<String, String> logs, Map<String, List<FaultWindow>> faults) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    long lines = 0;
    Map<String, Long> hits = new LinkedHashMap<>();
    Map<String, Long> problemsByNode = new TreeMap<>();
    for (Map.Entry<String, String> e : logs.entrySet()) {
      List<Problem> problems = problems(e.getKey(), e.getValue());
      lines += e.getValue().isEmpty() ? 0 : e.getValue().split("\n", -1).length;
      problemsByNode.put(e.getKey(), (long) problems.size());
      for (Problem p : problems) {
        Allowed match = match(p, faults.getOrDefault(p.node(), List.of()));
        if (match != null) {
          hits.merge(match.pattern().pattern(), 1L, Long::sum);
        } else {
          out.anomaly(
              new Anomaly(
                  "unexpected-log-error",
                  null,
                  p.node(),
                  p.node() + ".log line " + p.line() + ": " + p.text(),
                  List.of()));
        }
      }
    }
    return out.judged(lines)
        .stat("linesScanned", lines)
        .stat("problemsByNode", problemsByNode)
        .stat("allowedHits", hits)
        .build();
  }

  private Allowed match(Problem p, List<FaultWindow> faults) {
    for (Allowed a : allowed) {
      if (a.pattern().matcher(p.text()).find() && (a.during().isEmpty() || under(a, p, faults))) {
        return a;
      }
    }
    return null;
  }

  private static boolean under(Allowed a, Problem p, List<FaultWindow> faults) {
    return p.wallMillis() >= 0
        && faults.stream()
            .anyMatch(
                f -> {
                  long skew = clockSkewed(f, faults) ? CLOCK_SKEW_MILLIS : 0;
                  return a.during().contains(f.kind())
                      && f.fromMillis() - skew <= p.wallMillis()
                      && p.wallMillis() <= f.toMillis() + SCOPE_GRACE_MILLIS + skew;
                });
  }

  /**
   * How far a node's own log time may be from the real time while its clock is faulted, and shortly
   * after: the clock nemeses' largest offset, and a second.
   */
  public static final long CLOCK_SKEW_MILLIS = ClockNemeses.MAX_OFFSET_SECONDS * 1000 + 1000;

  /**
   * How long after a clock fault's heal the node may still log with the offset (libfaketime reads
   * its offset file again only after a while; CI rehearsal short-2973575: n1 logged 46 s behind 1.7
   * s after its strobe was healed).
   */
  static final long CLOCK_SETTLE_MILLIS = 10_000;

  private static final Set<String> CLOCK_KINDS =
      Set.of(FaultKind.CLOCK_BUMP.wire(), FaultKind.CLOCK_STROBE.wire());

  /**
   * Whether the node's log times around {@code f} may be skewed: a clock fault on it overlapped
   * {@code f} (and its grace), or ended less than {@link #CLOCK_SETTLE_MILLIS} before it began.
   */
  private static boolean clockSkewed(FaultWindow f, List<FaultWindow> faults) {
    return faults.stream()
        .anyMatch(
            c ->
                CLOCK_KINDS.contains(c.kind())
                    && c.fromMillis() <= f.toMillis() + SCOPE_GRACE_MILLIS
                    && f.fromMillis() <= c.toMillis() + CLOCK_SETTLE_MILLIS);
  }

  /**
   * ERROR lines, WARN lines followed by a stack trace, and stack traces outside any log line; each
   * with the first exception line appended ({@code " | "}).
   */
  static List<Problem> problems(String node, String log) {
    String[] lines = log.split("\n", -1);
    List<Problem> out = new ArrayList<>();
    int i = 0;
    long at = -1;
    while (i < lines.length) {
      String line = lines[i];
      var m = LOG_LINE.matcher(line);
      if (m.matches()) {
        at = timeOf(line, at);
        String level = m.group(1);
        String exception = firstThrowable(lines, i + 1);
        if ("ERROR".equals(level) || "WARN".equals(level) && exception != null) {
          out.add(
              new Problem(
                  node,
                  i + 1,
                  level + " " + m.group(2) + (exception == null ? "" : " | " + exception),
                  at));
        }
        i = skipTrace(lines, i + 1);
      } else if (THROWABLE.matcher(line).matches()) {
        out.add(new Problem(node, i + 1, "TRACE " + line, at));
        i = skipTrace(lines, i + 1);
      } else {
        i++;
      }
    }
    return out;
  }

  /** The time a log line starts with (ISO-8601, UTC), or {@code otherwise}. */
  private static long timeOf(String line, long otherwise) {
    int end = line.indexOf(' ');
    try {
      return Instant.parse(line.substring(0, end)).toEpochMilli();
    } catch (DateTimeParseException e) {
      return otherwise;
    }
  }

  /** The first exception line of the trace that follows a log line, or null. */
  private static String firstThrowable(String[] lines, int from) {
    for (int i = from; i < lines.length && !LOG_LINE.matcher(lines[i]).matches(); i++) {
      if (THROWABLE.matcher(lines[i].strip()).matches()) {
        return lines[i].strip();
      }
    }
    return null;
  }

  /** Index of the next line that is a log line (continuation lines belong to the one before). */
  private static int skipTrace(String[] lines, int from) {
    int i = from;
    while (i < lines.length
        && !LOG_LINE.matcher(lines[i]).matches()
        && (lines[i].startsWith("\t")
            || lines[i].startsWith(" ")
            || lines[i].startsWith("Caused by:")
            || lines[i].startsWith("...")
            || THROWABLE.matcher(lines[i]).matches() && !lines[i].startsWith("Exception in"))) {
      i++;
    }
    return i;
  }
}
