package dev.quorumdns.chaos.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * iptables commands, run inside a node's container, that realise faults on its INPUT path. All
 * rules live in one chain ({@value #CHAIN}) so that healing is a flush. Only peers' addresses are
 * matched: traffic from the test's clients (the network gateway) always passes, as Jepsen's clients
 * keep talking to partitioned nodes. Stateless.
 */
public final class Firewall {
  public static final String CHAIN = "QDNS_CHAOS";

  private Firewall() {}

  /** Creates the chain and hooks it into INPUT; run once per container. */
  public static List<List<String>> setup() {
    return List.of(
        List.of("iptables", "-w", "-N", CHAIN),
        List.of("iptables", "-w", "-I", "INPUT", "1", "-j", CHAIN));
  }

  public static List<String> heal() {
    return List.of("iptables", "-w", "-F", CHAIN);
  }

  /** Rules for {@code node} under {@code grudge}, given every node's address. */
  public static List<List<String>> rules(
      String node, Grudge grudge, Map<String, String> addresses) {
    List<List<String>> out = new ArrayList<>();
    for (String peer : grudge.drops().getOrDefault(node, Set.of())) {
      List<String> rule =
          new ArrayList<>(List.of("iptables", "-w", "-A", CHAIN, "-s", address(addresses, peer)));
      if (grudge.oneWay()) {
        rule.addAll(List.of("-m", "conntrack", "--ctstate", "NEW"));
      }
      rule.addAll(List.of("-j", "DROP"));
      out.add(rule);
    }
    return out;
  }

  /**
   * Drops each packet from the given peers with probability {@code p} (the kernel has no netem
   * here).
   */
  public static List<List<String>> loss(
      Iterable<String> peers, double p, Map<String, String> addresses) {
    if (!(p > 0 && p <= 1)) {
      throw new IllegalArgumentException("loss probability: " + p + " (expected: 0 < p <= 1)");
    }
    List<List<String>> out = new ArrayList<>();
    for (String peer : peers) {
      out.add(
          List.of(
              "iptables",
              "-w",
              "-A",
              CHAIN,
              "-s",
              address(addresses, peer),
              "-m",
              "statistic",
              "--mode",
              "random",
              "--probability",
              String.format(Locale.ROOT, "%.4f", p),
              "-j",
              "DROP"));
    }
    return out;
  }

  private static String address(Map<String, String> addresses, String peer) {
    String ip = addresses.get(peer);
    if (ip == null) {
      throw new IllegalArgumentException(
          "no address for node " + peer + " (known: " + addresses.keySet() + ")");
    }
    return ip;
  }
}
