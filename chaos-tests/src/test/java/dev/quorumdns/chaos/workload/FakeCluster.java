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
    SHARED_VIP
  }

  private record Service(String spec, String vip) {}

  private final List<String> nodes;
  private final Set<Bug> bugs;
  private final Random random;
  private final List<Map<String, Service>> log = new ArrayList<>();
  private final Map<String, Integer> applied = new HashMap<>();
  private final Set<String> heldVips = new HashSet<>();
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

  private String allocate(String name, Map<String, Service> state) {
    Set<String> taken = new HashSet<>();
    state.values().forEach(s -> taken.add(s.vip()));
    if (bugs.contains(Bug.SHARED_VIP)) {
      return "240.0.0.1";
    }
    int h = Math.floorMod(name.hashCode(), 60_000);
    for (int i = 0; ; i++) {
      int v = (h + i) % 60_000 + 1;
      String vip = "240.0." + (v / 250) + "." + (v % 250 + 1);
      if (!taken.contains(vip) && (!heldVips.contains(vip) || vip.equals(heldFor(name)))) {
        return vip;
      }
    }
  }

  private final Map<String, String> lastVip = new HashMap<>();

  private String heldFor(String name) {
    return lastVip.get(name);
  }

  @Override
  public synchronized Outcome put(String node, String name, ServiceSpec spec) {
    boolean unknown = random.nextDouble() < unknownRate;
    if (unknown && random.nextBoolean()) {
      return Outcome.info("timeout", "dropped before commit");
    }
    Map<String, Service> next = new TreeMap<>(latest());
    Service old = next.get(name);
    String vip =
        old == null
            ? allocate(name, next)
            : bugs.contains(Bug.VIP_CHANGES_ON_UPDATE)
                ? allocate(name + "#" + log.size(), next)
                : old.vip();
    next.put(name, new Service(spec.canonical(), vip));
    heldVips.add(vip);
    lastVip.put(name, vip);
    log.add(next);
    if (unknown) {
      return Outcome.info("outcome_unknown", "committed, answer lost");
    }
    return Outcome.ok(
        old == null ? "created" : "updated", spec.canonical(), vip, (long) log.size() - 1);
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
    Map<String, Service> next = new TreeMap<>(latest());
    next.remove(name);
    log.add(next);
    return unknown
        ? Outcome.info("outcome_unknown", "")
        : Outcome.ok("deleted", old.spec(), old.vip(), (long) log.size() - 1);
  }

  @Override
  public synchronized Outcome get(String node, String name) {
    Service s = latest().get(name);
    return s == null
        ? Outcome.ok("not_found", null, null, null)
        : Outcome.ok("found", s.spec(), s.vip(), null);
  }

  @Override
  public synchronized Outcome list(String node, boolean stale) {
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
    return s == null
        ? Outcome.ok("NXDOMAIN", null, null, null)
        : Outcome.ok("NOERROR", null, s.vip(), null);
  }

  /** Moves the node's applied state forward (never back), all the way when {@code full}. */
  private int catchUp(String node, boolean full) {
    int current = applied.get(node);
    int target = full ? log.size() - 1 : Math.max(current, log.size() - 1 - random.nextInt(6));
    applied.put(node, target);
    return target;
  }
}
