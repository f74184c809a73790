package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumdns watch}: prints one line per change from {@code GET /v1/watch} until stopped.
 * When the connection breaks, goes quiet for {@value #SILENCE_SECONDS} s, or the node drops the
 * stream, it connects again (to the servers in turn) from the last revision it printed whole, and
 * skips what it already printed of a revision it saw only part of: every change is printed once, in
 * revision order. Exits 1 when the node no longer keeps the revision to resume from (410: list
 * again, then watch from the list's revision) or refuses the watch (400, 401, 403).
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Print every change to the registry as it happens (GET /v1/watch), one line each; resumes "
            + "after a broken connection without losing or repeating a change.")
final class WatchCommand extends ClientCommand {
  /** No line (not even progress) for this long: the connection is taken as dead. */
  static final int SILENCE_SECONDS = 30;

  @Option(names = "--namespace", paramLabel = "NS", description = "only changes of this namespace")
  String namespace;

  @Option(
      names = "--from",
      paramLabel = "REVISION",
      description = "print the changes after this revision " + "(default: from now on)")
  Long from;

  /** Every change up to this revision was printed; -1 until the first node said where it starts. */
  private long complete = -1;

  /** The revision printed only in part so far, and the services of it printed. */
  private long partial = -1;

  private final Set<String> partialKeys = new HashSet<>();

  /** Whether the last node tried answered with a stream. */
  private boolean streamed;

  WatchCommand(Context ctx) {
    super(ctx);
  }

  @Override
  public Integer call() throws InterruptedException {
    String ns = namespace == null ? null : Names.label("namespace", namespace);
    if (from != null && from < 0) {
      throw new UsageException("from", from + " (expected: a revision, 0 or more)");
    }
    complete = from == null ? -1 : from;
    Client client = options.client(ctx);
    ClientOptions.Format format = options.format(ctx);
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quorumdns-watch-silence");
              t.setDaemon(true);
              return t;
            });
    try {
      int failures = 0;
      while (true) {
        boolean followed = false;
        for (String server : client.servers()) {
          streamed = false;
          Integer exit = follow(client.node(server), server, ns, format, watchdog);
          if (exit != null) {
            return exit;
          }
          if (streamed) {
            followed = true;
            break;
          }
        }
        // A stream that ran breaks: back to the first server soon. No node would stream: wait
        // longer each time.
        failures = followed ? 0 : failures + 1;
        Thread.sleep(followed ? 100 : Math.min(5000, 250L * failures));
      }
    } finally {
      watchdog.shutdownNow();
    }
  }

  /**
   * Follows one node until the stream breaks (null: try again) or must end the command (its exit
   * code).
   */
  private Integer follow(
      ApiClient node,
      String server,
      String ns,
      ClientOptions.Format format,
      ScheduledExecutorService watchdog)
      throws InterruptedException {
    List<String> query = new ArrayList<>();
    if (complete >= 0) {
      query.add("from=" + complete);
    }
    if (ns != null) {
      query.add("namespace=" + URLEncoder.encode(ns, StandardCharsets.UTF_8));
    }
    HttpResponse<InputStream> r;
    try {
      r = node.stream("/v1/watch" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    } catch (IOException e) {
      ctx.err().println("quorumdns: watch: " + server + ": " + e.getMessage() + "; trying again");
      return null;
    }
    try (InputStream body = r.body()) {
      if (r.statusCode() != 200) {
        String text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        JsonNode error = parse(text);
        String message =
            error == null
                ? text.strip()
                : error.path("error").asText() + ": " + error.path("message").asText();
        ctx.err()
            .println("quorumdns: watch: " + server + " answered " + r.statusCode() + " " + message);
        return r.statusCode() == 503 || r.statusCode() >= 500 ? null : Main.FAILED;
      }
      streamed = true;
      if (complete < 0) {
        complete = r.headers().firstValue("X-QuorumDNS-Revision").map(Long::parseLong).orElse(0L);
      }
      resumed();
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      while (true) {
        ScheduledFuture<?> silence =
            watchdog.schedule(() -> closeQuietly(body), SILENCE_SECONDS, TimeUnit.SECONDS);
        String line;
        try {
          line = lines.readLine();
        } finally {
          silence.cancel(false);
        }
        if (line == null) {
          return null;
        }
        JsonNode n = parse(line);
        if (n == null) {
          continue;
        }
        String type = n.path("type").asText();
        long revision = n.path("revision").asLong();
        if (type.equals("progress")) {
          advance(revision + 1);
        } else if (type.equals("dropped")) {
          ctx.err()
              .println(
                  "quorumdns: watch: "
                      + server
                      + " ended the stream ("
                      + n.path("error").asText()
                      + ": "
                      + n.path("message").asText()
                      + ")");
          return n.path("error").asText().equals("gone") ? Main.FAILED : null;
        } else if (type.equals("put") || type.equals("delete")) {
          print(n, line, revision, format);
        }
      }
    } catch (IOException e) {
      ctx.err()
          .println(
              "quorumdns: watch: "
                  + server
                  + ": "
                  + e.getMessage()
                  + "; resuming after revision "
                  + complete);
      return null;
    }
  }

  /**
   * The revision partly printed when the stream was (re)opened is sent again in whole: skip what
   * was printed.
   */
  private long resumedRevision = -1;

  private final Set<String> resumedKeys = new HashSet<>();

  private void resumed() {
    resumedRevision = partial;
    resumedKeys.clear();
    resumedKeys.addAll(partialKeys);
  }

  private void print(JsonNode n, String raw, long revision, ClientOptions.Format format) {
    JsonNode s = n.path("service");
    String key = s.path("namespace").asText() + "/" + s.path("name").asText();
    if (revision <= complete || (revision == resumedRevision && resumedKeys.remove(key))) {
      return;
    }
    advance(revision);
    if (revision != partial) {
      partial = revision;
      partialKeys.clear();
    }
    partialKeys.add(key);
    if (format == ClientOptions.Format.JSON) {
      ctx.out().println(raw);
    } else {
      List<String> ports = new ArrayList<>();
      s.path("ports")
          .forEach(
              p ->
                  ports.add(
                      (p.path("name").isTextual() ? p.get("name").asText() + ":" : "")
                          + p.path("protocol").asText()
                          + ":"
                          + p.path("port").asText()));
      ctx.out()
          .println(
              revision
                  + " "
                  + n.path("type").asText()
                  + " "
                  + key
                  + " "
                  + s.path("vip4").asText("-")
                  + " "
                  + (ports.isEmpty() ? "-" : String.join(",", ports)));
    }
    ctx.out().flush();
  }

  /** A line of {@code revision} arrived: every revision before it is whole. */
  private void advance(long revision) {
    if (revision - 1 > complete) {
      complete = revision - 1;
    }
    if (partial >= 0 && partial < revision) {
      partial = -1;
      partialKeys.clear();
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // closing a dead stream anyway
    }
  }
}
