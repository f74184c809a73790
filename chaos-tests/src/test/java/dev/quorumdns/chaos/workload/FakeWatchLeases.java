package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.WatchLeaseApi;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Watch streams and leases over a {@link FakeCluster}, as the contract says: a stream carries every
 * change of the node's (lagging) replica in revision order, with progress lines, and ends now and
 * then; a lease expires (its endpoint leaves the service) a TTL after its last grant or keepalive.
 * {@link Bug}s break one promise each. Thread-safe.
 */
final class FakeWatchLeases implements WatchLeaseApi {
  enum Bug {
    /** One stream on the last node skips one change line. */
    DROP_WATCH_EVENT,
    /** Keepalives are acknowledged but do not move the deadline: a renewed lease expires. */
    EXPIRE_RENEWED_LEASE
  }

  private static final class Lease {
    final long ttlNanos;
    long deadline;
    String service;
    String leased;

    Lease(long ttlNanos) {
      this.ttlNanos = ttlNanos;
      this.deadline = System.nanoTime() + ttlNanos;
    }
  }

  private final FakeCluster cluster;
  private final List<String> nodes;
  private final Bug bug;
  private final Random random;
  private final Map<String, Lease> leases = new HashMap<>();
  private long ids;
  private boolean dropped;

  FakeWatchLeases(FakeCluster cluster, List<String> nodes, long seed, Bug bug) {
    this.cluster = cluster;
    this.nodes = nodes;
    this.random = new Random(seed);
    this.bug = bug;
  }

  private synchronized void expire() {
    long now = System.nanoTime();
    leases
        .entrySet()
        .removeIf(
            e -> {
              Lease l = e.getValue();
              if (now < l.deadline) {
                return false;
              }
              if (l.service != null) {
                String[] s = cluster.stateAt(cluster.revision()).get(l.service);
                if (s != null) {
                  TreeSet<String> endpoints = new TreeSet<>(List.of(s[0].split(",")));
                  endpoints.remove(l.leased);
                  cluster.putSpec(l.service, String.join(",", endpoints));
                }
              }
              return true;
            });
  }

  @Override
  public WatchEnd watch(
      String node,
      long from,
      Duration idle,
      Runnable onConnected,
      Consumer<WatchLine> sink,
      BooleanSupplier stop) {
    if (random(50) == 0) {
      return new WatchEnd("unreachable", false, null, "refused");
    }
    onConnected.run();
    long closeAt = System.nanoTime() + Duration.ofMillis(50 + random(250)).toNanos();
    long sent = from;
    long nextProgress = 0;
    while (!stop.getAsBoolean() && System.nanoTime() < closeAt) {
      expire();
      int upTo = cluster.appliedRevision(node);
      for (long r = sent + 1; r <= upTo; r++) {
        Map<String, String[]> before = cluster.stateAt((int) r - 1);
        Map<String, String[]> after = cluster.stateAt((int) r);
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
          String[] b = before.get(name);
          String[] a = after.get(name);
          if (b != null && a != null && Objects.equals(b[2], a[2])) {
            continue;
          }
          if (a == null && b == null) {
            continue;
          }
          if (dropNow(node)) {
            continue;
          }
          sink.accept(
              a != null
                  ? new WatchLine("put", r, name, a[0], a[1], null, null)
                  : new WatchLine("delete", r, name, b[0], b[1], null, null));
        }
      }
      sent = Math.max(sent, upTo);
      if (System.nanoTime() > nextProgress) {
        sink.accept(new WatchLine("progress", sent, null, null, null, null, null));
        nextProgress = System.nanoTime() + Duration.ofMillis(20).toNanos();
      }
      LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
    }
    return new WatchEnd(stop.getAsBoolean() ? "stopped" : "closed", true, null, null);
  }

  private synchronized boolean dropNow(String node) {
    if (bug == Bug.DROP_WATCH_EVENT
        && !dropped
        && node.equals(nodes.get(nodes.size() - 1))
        && random.nextInt(20) == 0) {
      dropped = true;
      return true;
    }
    return false;
  }

  private synchronized int random(int bound) {
    return random.nextInt(bound);
  }

  @Override
  public synchronized LeaseReply grant(String node, Duration ttl) {
    expire();
    String id = String.format("%016x", ++ids);
    leases.put(id, new Lease(ttl.toNanos()));
    return LeaseReply.ok("granted", id, null);
  }

  @Override
  public synchronized LeaseReply keepAlive(String node, String id) {
    expire();
    Lease l = leases.get(id);
    if (l == null) {
      return LeaseReply.ok("not_found", id, null);
    }
    if (bug != Bug.EXPIRE_RENEWED_LEASE) {
      l.deadline = System.nanoTime() + l.ttlNanos;
    }
    return LeaseReply.ok("renewed", id, null);
  }

  @Override
  public synchronized LeaseReply read(String node, String id) {
    expire();
    return leases.containsKey(id)
        ? LeaseReply.ok("found", id, null)
        : LeaseReply.ok("not_found", id, null);
  }

  @Override
  public synchronized LeaseReply revoke(String node, String id) {
    expire();
    Lease l = leases.get(id);
    if (l == null) {
      return LeaseReply.ok("not_found", id, null);
    }
    l.deadline = Long.MIN_VALUE;
    expire();
    return LeaseReply.ok("revoked", id, null);
  }

  @Override
  public synchronized LeaseReply register(
      String node, String name, String plainEndpoint, String leasedEndpoint, String id) {
    expire();
    Lease l = leases.get(id);
    if (l == null) {
      return LeaseReply.fail("bad_request", "no lease " + id);
    }
    l.service = name;
    l.leased = leasedEndpoint;
    String spec = String.join(",", new TreeSet<>(List.of(plainEndpoint, leasedEndpoint)));
    return LeaseReply.ok("registered", id, cluster.putSpec(name, spec));
  }
}
