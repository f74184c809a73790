package dev.quorumdns.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A watch client as data planes should write one: it follows {@code GET /v1/watch} on a thread, and
 * when the connection breaks (the node died, or it hangs up itself every {@code hangUpEvery}
 * changes to prove resuming works) it connects again, to the first live node it is given, from the
 * last revision it saw whole, skipping the changes of a partly seen revision it already has. It
 * records every change once, and fails (rather than hides) a change out of order, a repeated one,
 * or a 410.
 */
final class ResumingWatcher implements AutoCloseable {
  /** One change as a watcher saw it. */
  record Change(long revision, String type, String key) {
    @Override
    public String toString() {
      return revision + " " + type + " " + key;
    }
  }

  private final String name;
  private final Supplier<List<NodeProcess>> nodes;
  private final int hangUpEvery;
  private final Thread thread;
  private final List<Change> changes = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean stopped;
  private volatile String failure;

  /** Every change up to this revision has been seen (from progress lines or a later revision). */
  private volatile long complete;

  private long partial = -1;
  private final Set<String> partialKeys = new HashSet<>();

  /**
   * The partly seen revision when the watcher last connected, and its keys seen then: sent again,
   * expectedly.
   */
  private long resumed = -1;

  private final Set<String> resumedKeys = new HashSet<>();
  private volatile WatchConnection current;

  /**
   * @param nodes where to connect, in order of preference; only live ones are tried
   */
  ResumingWatcher(String name, long from, Supplier<List<NodeProcess>> nodes, int hangUpEvery) {
    this.name = name;
    this.nodes = nodes;
    this.hangUpEvery = hangUpEvery;
    this.complete = from;
    this.thread = new Thread(this::run, "watcher-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stopped && failure == null) {
      NodeProcess n = nodes.get().stream().filter(NodeProcess::isAlive).findFirst().orElse(null);
      if (n == null) {
        pause();
        continue;
      }
      long from = complete;
      try (WatchConnection c =
          new WatchConnection(n.ip(), "/v1/watch?from=" + from, Duration.ofSeconds(20))) {
        current = c;
        if (c.status() == 410) {
          failure = name + ": 410 from " + n.id() + " at revision " + from + ": " + c.body();
          return;
        }
        if (c.status() != 200) {
          pause();
          continue;
        }
        connections.incrementAndGet();
        resuming();
        int seen = 0;
        for (JsonNode line = c.next(); line != null && !stopped; line = c.next()) {
          String type = line.path("type").asText();
          long revision = line.path("revision").asLong();
          if (type.equals("progress")) {
            advance(revision + 1);
            continue;
          }
          if (type.equals("dropped")) {
            break;
          }
          JsonNode s = line.get("service");
          accept(
              new Change(
                  revision, type, s.get("namespace").asText() + "/" + s.get("name").asText()));
          if (hangUpEvery > 0 && ++seen % hangUpEvery == 0) {
            break;
          }
        }
      } catch (IOException e) {
        pause();
      } catch (RuntimeException e) {
        failure = name + ": " + e;
      } finally {
        current = null;
      }
    }
  }

  /** A line with {@code revision} arrived: every revision before it is whole. */
  private synchronized void advance(long revision) {
    if (revision - 1 > complete) {
      complete = revision - 1;
    }
    if (partial >= 0 && partial < revision) {
      partial = -1;
      partialKeys.clear();
    }
  }

  private synchronized void resuming() {
    resumed = partial;
    resumedKeys.clear();
    resumedKeys.addAll(partialKeys);
  }

  private synchronized void accept(Change c) {
    if (c.revision() <= complete) {
      failure = name + ": " + c + " again (every change up to " + complete + " was seen)";
      return;
    }
    if (c.revision() < partial) {
      failure = name + ": " + c + " out of order (after revision " + partial + ")";
      return;
    }
    if (c.revision() == resumed && resumedKeys.remove(c.key())) {
      return; // resumed from the revision before: this part of it was seen already
    }
    advance(c.revision());
    if (c.revision() == partial && !partialKeys.add(c.key())) {
      failure = name + ": " + c + " twice on one connection";
      return;
    }
    partial = c.revision();
    partialKeys.add(c.key());
    changes.add(c);
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every change seen so far, in the order seen. */
  synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  long complete() {
    return complete;
  }

  int connections() {
    return connections.get();
  }

  /** Why it stopped following, or null. */
  String failure() {
    return failure;
  }

  @Override
  public String toString() {
    return "watcher " + name;
  }

  @Override
  public void close() {
    stopped = true;
    WatchConnection c = current;
    if (c != null) {
      c.close();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
