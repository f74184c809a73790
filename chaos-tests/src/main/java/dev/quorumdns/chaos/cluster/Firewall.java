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

  /**
   * Creates the chain and hooks it into INPUT; run once per container. The last rule matches
   * nothing (no packet is untracked) but keeps connection tracking loaded in the container from the
   * start, so every flow's direction is known when a one-way cut needs it (a flow first seen
   * mid-stream would be tracked in whichever direction its next packet went).
   */
  public static List<List<String>> setup() {
    return List.of(
        List.of("iptables", "-w", "-N", CHAIN),
        List.of("iptables", "-w", "-I", "INPUT", "1", "-j", CHAIN),
        List.of(
            "iptables",
            "-w",
            "-A",
            "INPUT",
            "-m",
            "conntrack",
            "--ctstate",
            "UNTRACKED",
            "-j",
            "ACCEPT"));
  }

  public static List<String> heal() {
    return List.of("iptables", "-w", "-F", CHAIN);
  }

  /**
   * Rules for {@code node} under {@code grudge}, given every node's address. A two-way grudge drops
   * every packet from the peer. A one-way grudge drops every packet of the connections the peer
   * opened, established ones included (Ratis keeps its gRPC streams open for the whole run, so
   * refusing only new connections cut nothing), and lets through only the peer's replies on
   * connections {@code node} opened: the peer's requests are lost, {@code node}'s still get
   * answered.
   */
  public static List<List<String>> rules(
      String node, Grudge grudge, Map<String, String> addresses) {
    List<List<String>> out = new ArrayList<>();
    for (String peer : grudge.drops().getOrDefault(node, Set.of())) {
      String ip = address(addresses, peer);
      if (grudge.oneWay()) {
        out.add(
            List.of(
                "iptables",
                "-w",
                "-A",
                CHAIN,
                "-s",
                ip,
                "-m",
                "conntrack",
                "--ctstate",
                "ESTABLISHED,RELATED",
                "--ctdir",
                "REPLY",
                "-j",
                "RETURN"));
      }
      out.add(List.of("iptables", "-w", "-A", CHAIN, "-s", ip, "-j", "DROP"));
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
