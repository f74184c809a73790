package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.ClusterStatus;
import dev.quorumdns.chaos.client.DnsApi;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.client.RegistryApi;
import dev.quorumdns.chaos.client.ServiceSpec;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory registry that behaves as the contract says: one linearizable log of registry states,
 * VIPs allocated by name hash and kept across updates, nodes whose DNS lags the log but never goes
 * back, some writes ending unknown (applied or not). {@link Bug}s break one promise each, so tests
 * can see the checkers catch them. Thread-safe (one lock).
 */
final class FakeCluster implements RegistryApi, DnsApi {
  enum Bug {
    LOSE_ACKNOWLEDGED_WRITE,
    VIP_CHANGES_ON_UPDATE,
    DNS_TIME_TRAVEL,
    SHARED_VIP,
    /** The last node never answers a status or registry read (it hangs after heal). */
    SILENT_NODE,
    /** The last node's DNS answers NXDOMAIN for every name (it serves an empty registry). */
    EMPTY_DNS,
    /** Holds of other names are ignored: a released VIP can be taken within its hold-down. */
    HELD_VIP_REUSE,
    /** An acknowledged write answers a revision below one acknowledged before it. */
    REVISION_GOES_BACK,
    /** AAAA answers give an address the name never held, now and then. */
    AAAA_WRONG,
    /** PTR answers name a service that does not hold the address, now and then. */
    PTR_NAMES_ANOTHER,
    /** A batch applies only to its first name. */
    TORN_BATCH
  }

  /** The hold-down of the in-memory cluster, on its log time (wall milliseconds, never back). */
  static final java.time.Duration HOLD_DOWN = java.time.Duration.ofMillis(200);

  private record Hold(String owner, long until) {}

  private final Map<String, Hold> holds = new HashMap<>();
  private long logTime;

  /** The log time of the next entry: the wall clock, raised to the newest seen. */
  private long stamp() {
    logTime = Math.max(logTime, System.currentTimeMillis());
    return logTime;
  }

  private boolean heldForOther(String vip, String name, long now) {
    Hold h = holds.get(vip);
    return h != null
        && now < h.until()
        && !h.owner().equals(name)
        && !bugs.contains(Bug.HELD_VIP_REUSE);
  }

  private record Service(String spec, String vip) {}

  private final List<String> nodes;
  private final Set<Bug> bugs;
  private final Random random;
  private final List<Map<String, Service>> log = new ArrayList<>();
  private final Map<String, Integer> applied = new HashMap<>();
  private final double unknownRate;

  FakeCluster(List<String> nodes, long seed, double unknownRate, Set<Bug> bugs) {
    this.nodes = List.copyOf(nodes);
    this.bugs = bugs.isEmpty() ? EnumSet.noneOf(Bug.class) : EnumSet.copyOf(bugs);
    this.random = new Random(seed);
    this.unknownRate = unknownRate;
    log.add(Map.of());
    nodes.forEach(n -> applied.put(n, 0));
  }

  private Map<String, Service> latest() {
    return log.get(log.size() - 1);
  }

  private String allocate(String name, Map<String, Service> state, long now) {
    Set<String> taken = new HashSet<>();
    state.values().forEach(s -> taken.add(s.vip()));
    if (bugs.contains(Bug.SHARED_VIP)) {
      return "240.0.0.1";
    }
    for (Map.Entry<String, Hold> h : holds.entrySet()) {
      if (h.getValue().owner().equals(name) && now < h.getValue().until()) {
        return h.getKey();
      }
    }
    int h = Math.floorMod(name.hashCode(), 60_000);
    for (int i = 0; ; i++) {
      int v = (h + i) % 60_000 + 1;
      String vip = "240.0." + (v / 250) + "." + (v % 250 + 1);
      if (!taken.contains(vip) && !heldForOther(vip, name, now)) {
        return vip;
      }
    }
  }

  @Override
  public synchronized Outcome put(String node, String name, ServiceSpec spec) {
    return putWithVip(node, name, spec, null);
  }

  @Override
  public synchronized Outcome putWithVip(String node, String name, ServiceSpec spec, String want) {
    boolean unknown = random.nextDouble() < unknownRate;
    if (unknown && random.nextBoolean()) {
      return Outcome.info("timeout", "dropped before commit");
    }
    long now = stamp();
    Map<String, Service> next = new TreeMap<>(latest());
    Service old = next.get(name);
    if (want != null) {
      boolean ownedByOther =
          next.entrySet().stream()
              .anyMatch(e -> e.getValue().vip().equals(want) && !e.getKey().equals(name));
      if ((old != null && !old.vip().equals(want))
          || ownedByOther
          || heldForOther(want, name, now)) {
        return Outcome.fail("conflict", "409 " + want + " is held");
      }
    }
    String vip =
        old == null
            ? want != null ? want : allocate(name, next, now)
            : bugs.contains(Bug.VIP_CHANGES_ON_UPDATE)
                ? allocate(name + "#" + log.size(), next, now)
                : old.vip();
    next.put(name, new Service(spec.canonical(), vip));
    if (old == null) {
      holds.remove(vip);
    }
    log.add(next);
    if (unknown) {
      return Outcome.info("outcome_unknown", "committed, answer lost");
    }
    long revision = log.size() - 1;
    if (bugs.contains(Bug.REVISION_GOES_BACK) && revision > 20 && random.nextInt(10) == 0) {
      revision -= 10;
    }
    return Outcome.ok(old == null ? "created" : "updated", spec.canonical(), vip, revision)
        .withAppliedAt(now)
        .withVip6(vip6Of(vip));
  }

  @Override
  public synchronized Outcome batch(String node, List<String> names, ServiceSpec spec) {
    boolean unknown = random.nextDouble() < unknownRate;
    if (unknown && random.nextBoolean()) {
      return Outcome.info("timeout", "dropped before commit");
    }
    long now = stamp();
    Map<String, Service> next = new TreeMap<>(latest());
    List<String> applied = bugs.contains(Bug.TORN_BATCH) ? names.subList(0, 1) : names;
    for (String name : applied) {
      Service old = next.get(name);
      if (spec == null) {
        if (old == null) {
          return Outcome.fail("not_found", "404 batch refused");
        }
        next.remove(name);
        holds.put(old.vip(), new Hold(name, now + HOLD_DOWN.toMillis()));
      } else {
        String vip = old == null ? allocate(name, next, now) : old.vip();
        if (old == null) {
          holds.remove(vip);
        }
        next.put(name, new Service(spec.canonical(), vip));
      }
    }
    log.add(next);
    return unknown
        ? Outcome.info("outcome_unknown", "")
        : Outcome.ok("applied", null, null, (long) log.size() - 1);
  }

  @Override
  public synchronized Outcome delete(String node, String name) {
    boolean unknown = random.nextDouble() < unknownRate;
    if (unknown && random.nextBoolean()) {
      return Outcome.info("timeout", "dropped before commit");
    }
    Service old = latest().get(name);
    if (old == null) {
      return unknown ? Outcome.info("timeout", "") : Outcome.ok("not_found", null, null, null);
    }
    long now = stamp();
    Map<String, Service> next = new TreeMap<>(latest());
    next.remove(name);
    holds.put(old.vip(), new Hold(name, now + HOLD_DOWN.toMillis()));
    log.add(next);
    return unknown
        ? Outcome.info("outcome_unknown", "")
        : Outcome.ok("deleted", old.spec(), old.vip(), (long) log.size() - 1)
            .withAppliedAt(now)
            .withVip6(vip6Of(old.vip()));
  }

  @Override
  public synchronized Outcome get(String node, String name) {
    Service s = latest().get(name);
    return s == null
        ? Outcome.ok("not_found", null, null, null)
        : Outcome.ok("found", s.spec(), s.vip(), null).withVip6(vip6Of(s.vip()));
  }

  @Override
  public synchronized Outcome list(String node, boolean stale) {
    if (bugs.contains(Bug.SILENT_NODE) && node.equals(nodes.get(nodes.size() - 1))) {
      return Outcome.fail("timeout", "silent node");
    }
    int at = catchUp(node, true);
    TreeMap<String, RegistryEntry> registry = new TreeMap<>();
    log.get(at).forEach((name, s) -> registry.put(name, new RegistryEntry(s.vip(), s.spec())));
    if (bugs.contains(Bug.LOSE_ACKNOWLEDGED_WRITE)
        && node.equals(nodes.get(nodes.size() - 1))
        && !registry.isEmpty()) {
      int[] i = {0};
      registry.keySet().removeIf(k -> i[0]++ % 2 == 0);
    }
    return Outcome.ok("found", null, null, (long) at).withRegistry(registry);
  }

  @Override
  public synchronized ClusterStatus cluster(String node) {
    if (bugs.contains(Bug.SILENT_NODE) && node.equals(nodes.get(nodes.size() - 1))) {
      return ClusterStatus.unreachable("silent node");
    }
    int at = catchUp(node, random.nextBoolean());
    return new ClusterStatus(node, nodes.get(0), 1, log.size() - 1, at, at, List.of(), null);
  }

  @Override
  public synchronized Outcome resolve(String node, String name) {
    int at = catchUp(node, random.nextInt(4) == 0);
    if (bugs.contains(Bug.DNS_TIME_TRAVEL) && random.nextInt(50) == 0) {
      at = random.nextInt(at + 1);
    }
    Service s = log.get(at).get(name);
    if (bugs.contains(Bug.EMPTY_DNS) && node.equals(nodes.get(nodes.size() - 1))) {
      s = null;
    }
    return s == null
        ? Outcome.ok("NXDOMAIN", null, null, null)
        : Outcome.ok("NOERROR", null, s.vip(), null);
  }

  /** The IPv6 VIP that goes with an IPv4 one (in the form Java prints). */
  static String vip6Of(String vip4) {
    String[] o = vip4.split("\\.");
    return "fd00:0:0:0:0:0:"
        + Integer.toHexString(Integer.parseInt(o[2]))
        + ":"
        + Integer.toHexString(Integer.parseInt(o[3]));
  }

  @Override
  public synchronized Outcome resolve6(String node, String name) {
    int at = catchUp(node, random.nextInt(4) == 0);
    Service s = log.get(at).get(name);
    return s == null
        ? Outcome.ok("NXDOMAIN", null, null, null)
        : Outcome.ok("NOERROR", null, null, null)
            .withVip6(
                bugs.contains(Bug.AAAA_WRONG) && random.nextInt(20) == 0
                    ? "fd00:0:0:0:0:0:ffff:1"
                    : vip6Of(s.vip()));
  }

  @Override
  public synchronized Outcome reverse(String node, String address) {
    int at = catchUp(node, random.nextInt(4) == 0);
    for (Map.Entry<String, Service> e : log.get(at).entrySet()) {
      String v = e.getValue().vip();
      if (v.equals(address) || vip6Of(v).equals(address)) {
        String name = e.getKey();
        if (bugs.contains(Bug.PTR_NAMES_ANOTHER) && random.nextInt(5) == 0) {
          name =
              log.get(at).keySet().stream()
                  .filter(k -> !k.equals(e.getKey()))
                  .findFirst()
                  .orElse(name);
        }
        return Outcome.ok("NOERROR", name, null, null);
      }
    }
    return Outcome.ok("NXDOMAIN", null, null, null);
  }

  /** Moves the node's applied state forward (never back), all the way when {@code full}. */
  private int catchUp(String node, boolean full) {
    int current = applied.get(node);
    int target = full ? log.size() - 1 : Math.max(current, log.size() - 1 - random.nextInt(6));
    applied.put(node, target);
    return target;
  }

  // Hooks for FakeWatchLeases: the log as revisions of name -> {spec, vip}.

  synchronized int revision() {
    return log.size() - 1;
  }

  synchronized int appliedRevision(String node) {
    return catchUp(node, random.nextBoolean());
  }

  synchronized Map<String, String[]> stateAt(int revision) {
    Map<String, String[]> out = new TreeMap<>();
    // the third element tells a same-body write (a new record: a change at its revision) from none
    log.get(revision)
        .forEach(
            (n, s) ->
                out.put(
                    n,
                    new String[] {
                      s.spec(), s.vip(), Integer.toString(System.identityHashCode(s))
                    }));
    return out;
  }

  /** Writes {@code spec} exactly (a lease's service); returns the VIP. */
  synchronized String putSpec(String name, String spec) {
    Map<String, Service> next = new TreeMap<>(latest());
    Service old = next.get(name);
    String vip = old == null ? allocate(name, next, stamp()) : old.vip();
    next.put(name, new Service(spec, vip));
    log.add(next);
    return vip;
  }
}
