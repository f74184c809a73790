package dev.quorumdns.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quorumdns.registry.state.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.xbill.DNS.Type;

/**
 * A cluster of node processes on {@code 127.0.<subnet>.11..}, same ports on each address, data
 * under {@code target/it/<name>}. Prints each node's log tail when a test fails. Register with
 * {@code @RegisterExtension}; close it in {@code @AfterAll} or with try-with-resources.
 */
public final class TestCluster implements TestWatcher, AutoCloseable {
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final int subnet;
  private final Path base;
  private final List<String> extra;

  public TestCluster(String name, int subnet, int size, String... extraFlags) {
    this.subnet = subnet;
    this.base = Path.of("target", "it", name).toAbsolutePath();
    this.extra = List.of(extraFlags);
    try {
      Snapshots.deleteTree(base);
      Files.createDirectories(base);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      peers.add("n" + i + "=" + ip(i) + ":9053");
    }
    for (int i = 1; i <= size; i++) {
      nodes.add(newNode(i, List.of("--peers", String.join(",", peers))));
    }
  }

  public String ip(int i) {
    return "127.0." + subnet + "." + (10 + i);
  }

  private NodeProcess newNode(int i, List<String> membership) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--id", "n" + i, "--data-dir", base.resolve("n" + i).toString(), "--bind", ip(i)));
    args.addAll(membership);
    args.addAll(extra);
    return new NodeProcess("n" + i, ip(i), base.resolve("n" + i), args);
  }

  /**
   * Adds (does not start) a node that joins an existing cluster, with {@code flags} after the
   * cluster's.
   */
  public NodeProcess addJoiner(String... flags) {
    NodeProcess p = newNode(nodes.size() + 1, List.of("--join")).withFlags(flags);
    nodes.add(p);
    return p;
  }

  /**
   * Replaces the stopped node {@code id} by the same node (data directory, address) with {@code
   * flags} after its own (later flags win), and returns it, not started.
   */
  public NodeProcess reconfigure(String id, String... flags) {
    NodeProcess old = node(id);
    if (old.isAlive()) {
      throw new IllegalStateException(id + " is running");
    }
    NodeProcess p = old.withFlags(flags);
    nodes.set(nodes.indexOf(old), p);
    return p;
  }

  public Path base() {
    return base;
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  public NodeProcess node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /** The nodes running and not paused ({@link NodeProcess#pause}). */
  public List<NodeProcess> alive() {
    return nodes.stream().filter(n -> n.isAlive() && !n.isPaused()).toList();
  }

  public void startAll() {
    nodes.stream().filter(n -> !n.isAlive()).forEach(NodeProcess::start);
  }

  /** The leader that every live node agrees on, once they do. */
  public NodeProcess awaitLeader(Duration timeout) {
    String id =
        Await.value(
            timeout,
            "a leader agreed by all live nodes",
            () -> {
              String agreed = null;
              for (NodeProcess n : alive()) {
                JsonNode c = n.cluster();
                if (c == null || !c.path("leader").isTextual()) {
                  return null;
                }
                String l = c.get("leader").asText();
                if (agreed != null && !agreed.equals(l)) {
                  return null;
                }
                agreed = l;
              }
              return agreed != null && alive().contains(node(agreed)) ? agreed : null;
            });
    return node(id);
  }

  /**
   * Waits until the registry holds the record of every live node ({@code <id>.node.<domain>}
   * answers on the leader). Each node publishes its own record some time after a leader exists; a
   * test that compares registry revisions before and after a refused call waits for this first, or
   * a late record moves the revision.
   */
  public void awaitNodeRecords(NodeProcess leader, Duration timeout) {
    for (NodeProcess n : alive()) {
      Await.until(
          timeout,
          "the node record of " + n.id(),
          () -> leader.resolve(n.id() + ".node.mesh.internal", Type.A).equals("NOERROR " + n.ip()));
    }
  }

  /** Waits until every live node has applied at least {@code index}. */
  public void awaitApplied(long index, Duration timeout) {
    for (NodeProcess n : alive()) {
      Await.until(
          timeout,
          n.id() + " applied index >= " + index,
          () -> {
            JsonNode c = n.cluster();
            return c != null && c.path("appliedIndex").asLong() >= index;
          });
    }
  }

  public Optional<NodeProcess> anyFollower(NodeProcess leader) {
    return alive().stream().filter(n -> n != leader).findFirst();
  }

  /** VIPs of every service as one node holds them locally ({@code ?stale}). */
  public static Map<String, String> vips(NodeProcess n) {
    NodeProcess.Reply r = n.call("GET", "/v1/services?stale", null);
    if (r.status() != 200) {
      throw new AssertionError(n.id() + " answered " + r.status() + " " + r.body());
    }
    Map<String, String> out = new HashMap<>();
    for (JsonNode s : r.body().get("services")) {
      out.put(
          s.get("namespace").asText() + "/" + s.get("name").asText(),
          s.get("vip4").asText() + "," + s.path("vip6").asText());
    }
    return out;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    for (NodeProcess n : nodes) {
      System.err.println("----- " + n.id() + " (" + n.log() + "), last 60 lines -----");
      System.err.println(n.tail(60));
    }
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::kill9);
  }
}
