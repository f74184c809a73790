package dev.quorumdns.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/** One node as a separate JVM process (so kill -9 is real), plus a tiny HTTP client to it. */
public final class NodeProcess {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String id;
  private final String ip;
  private final Path dir;
  private final List<String> args;
  private Process process;
  private boolean paused;
  private volatile String authorization;

  NodeProcess(String id, String ip, Path dir, List<String> args) {
    this.id = id;
    this.ip = ip;
    this.dir = dir;
    this.args = List.copyOf(args);
  }

  public String id() {
    return id;
  }

  /**
   * The same node (id, address, data directory) started with {@code flags} after its own; later
   * flags win.
   */
  NodeProcess withFlags(String... flags) {
    List<String> more = new ArrayList<>(args);
    more.addAll(List.of(flags));
    return new NodeProcess(id, ip, dir, more);
  }

  public String ip() {
    return ip;
  }

  public Path dir() {
    return dir;
  }

  public Path log() {
    return dir.resolve("node.log");
  }

  public synchronized void start() {
    if (isAlive()) {
      throw new IllegalStateException(id + " is already running");
    }
    try {
      Files.createDirectories(dir);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-Xms32m",
                  "-Xmx256m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-Xss512k",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.quorumdns.server.ServerMain",
                  "node"));
      cmd.addAll(args);
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Whether the process is stopped with SIGSTOP ({@link #pause}); it is alive but answers nothing.
   */
  public synchronized boolean isPaused() {
    return paused && isAlive();
  }

  /** SIGSTOP: the process keeps its sockets and memory but runs nothing until {@link #resume}. */
  public synchronized void pause() {
    signal("-STOP");
    paused = true;
  }

  /** SIGCONT after {@link #pause}. */
  public synchronized void resume() {
    signal("-CONT");
    paused = false;
  }

  private void signal(String which) {
    if (!isAlive()) {
      throw new IllegalStateException(id + " is not running");
    }
    try {
      Process kill =
          new ProcessBuilder("kill", which, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + which + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * The exit code once the process has ended by itself within {@code timeout}; fails if it is still
   * running.
   */
  public int awaitExit(Duration timeout) {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null) {
      throw new IllegalStateException(id + " was never started");
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(id + " still running after " + timeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + id + " to exit", e);
    }
    return p.exitValue();
  }

  /** SIGKILL: no shutdown hook, no flush. */
  public synchronized void kill9() {
    if (process != null) {
      process.destroyForcibly();
      waitExit();
      paused = false;
    }
  }

  /** SIGTERM and wait for a clean exit. */
  public synchronized void stop() {
    if (process != null) {
      if (isPaused()) {
        resume();
      }
      process.destroy();
      waitExit();
    }
  }

  private void waitExit() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Status, parsed body and headers of one API call; status -1 if the node could not be reached.
   */
  public record Reply(
      int status, JsonNode body, String retryAfter, Map<String, List<String>> headers) {
    public Reply(int status, JsonNode body, String retryAfter) {
      this(status, body, retryAfter, Map.of());
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  /** Sends {@code authorization} with calls that name none (for nodes whose reads need a token). */
  public void authorizeWith(String authorization) {
    this.authorization = authorization;
  }

  public Reply call(String method, String path, String body) {
    return call(method, path, body, authorization);
  }

  public Reply call(String method, String path, String body, String authorization) {
    return call(method, path, body, authorization, Map.of());
  }

  /**
   * A call with extra request headers ({@code If-Match}); the reply carries the answer's headers.
   */
  public Reply call(
      String method, String path, String body, String authorization, Map<String, String> headers) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://" + ip + ":8053" + path))
              .timeout(Duration.ofSeconds(20))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      headers.forEach(b::header);
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
      return new Reply(
          r.statusCode(),
          parsed,
          r.headers().firstValue("Retry-After").orElse(null),
          r.headers().map());
    } catch (IOException e) {
      return new Reply(-1, JSON.getNodeFactory().textNode(e.toString()), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply(-1, JSON.getNodeFactory().textNode("interrupted"), null);
    }
  }

  /** The body of a GET as text (for /metrics), or null if the node could not be reached. */
  public String text(String path) {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://" + ip + ":8053" + path))
              .timeout(Duration.ofSeconds(20))
              .GET()
              .build();
      return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The addresses {@code name} resolves to over UDP on this node's DNS port, sorted; rcode in
   * front.
   */
  public String resolve(String name, int type) {
    try {
      SimpleResolver r = new SimpleResolver(ip);
      r.setPort(53535);
      r.setTimeout(Duration.ofSeconds(2));
      Message q =
          Message.newQuery(
              Record.newRecord(
                  Name.fromString(name.endsWith(".") ? name : name + "."), type, DClass.IN));
      Message m = r.send(q);
      StringBuilder b = new StringBuilder(Rcode.string(m.getRcode()));
      m.getSection(Section.ANSWER).stream()
          .map(Record::rdataToString)
          .sorted()
          .forEach(x -> b.append(' ').append(x));
      return b.toString();
    } catch (IOException e) {
      return "ERROR " + e;
    }
  }

  public JsonNode cluster() {
    Reply r = call("GET", "/v1/cluster", null);
    return r.status() == 200 ? r.body() : null;
  }

  public String tail(int lines) {
    try {
      List<String> all = Files.exists(log()) ? Files.readAllLines(log()) : List.of();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log() + ": " + e + ")";
    }
  }
}
