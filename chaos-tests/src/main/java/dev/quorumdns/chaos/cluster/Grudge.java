package dev.quorumdns.chaos.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who refuses packets from whom (Jepsen's "grudge"): node → the peers whose packets it drops. Built
 * by the partition shapes below; {@link Firewall} turns it into iptables rules. Immutable.
 *
 * @param oneWay when true the cut has a direction even for TCP: the dropping node refuses every
 *     packet of the connections the peer opened (established ones too) but still gets the peer's
 *     replies on connections it opened itself
 */
public record Grudge(Map<String, Set<String>> drops, boolean oneWay) {
  public Grudge {
    Map<String, Set<String>> copy = new TreeMap<>();
    drops.forEach((k, v) -> copy.put(k, Collections.unmodifiableSet(new TreeSet<>(v))));
    drops = Collections.unmodifiableMap(copy);
  }

  /** Cuts {@code node} off from everyone else, both ways. */
  public static Grudge isolate(String node, List<String> all) {
    return split(List.of(node), without(all, List.of(node)));
  }

  /** Two sides that cannot talk: a random minority and majority. */
  public static Grudge halves(List<String> all, Random random) {
    List<String> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, random);
    int minority = shuffled.size() / 2;
    return split(shuffled.subList(0, minority), shuffled.subList(minority, shuffled.size()));
  }

  /** Complete two-way cut between the sides. */
  public static Grudge split(List<String> a, List<String> b) {
    Map<String, Set<String>> drops = new LinkedHashMap<>();
    a.forEach(n -> drops.put(n, new TreeSet<>(b)));
    b.forEach(n -> drops.put(n, new TreeSet<>(a)));
    return new Grudge(drops, false);
  }

  /**
   * Every node sees a majority, but no two see the same one (Jepsen's majorities ring). Nodes are
   * placed on a shuffled ring; each hears the nodes within distance n/4 (rounded up) either side.
   * With fewer than five nodes a symmetric ring cannot exist, so each node hears only its successor
   * (a directed ring: still a different majority for each).
   */
  public static Grudge majoritiesRing(List<String> all, Random random) {
    List<String> ring = new ArrayList<>(all);
    Collections.shuffle(ring, random);
    int n = ring.size();
    Map<String, Set<String>> drops = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Set<String> dropped = new TreeSet<>();
      for (int j = 0; j < n; j++) {
        int distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
        boolean hears = n >= 5 ? distance <= (n / 2 + 1) / 2 : j == (i + 1) % n;
        if (i != j && !hears) {
          dropped.add(ring.get(j));
        }
      }
      drops.put(ring.get(i), dropped);
    }
    return new Grudge(drops, false);
  }

  /**
   * Nothing {@code from} sends over its own connections reaches {@code to} (open streams are cut
   * too); {@code to} still reaches {@code from} and gets its replies.
   */
  public static Grudge oneWay(String from, String to) {
    return new Grudge(Map.of(to, Set.of(from)), true);
  }

  /** The peers {@code node} hears (itself excluded). */
  public Set<String> hears(String node, List<String> all) {
    Set<String> out = new TreeSet<>(all);
    out.remove(node);
    out.removeAll(drops.getOrDefault(node, Set.of()));
    return out;
  }

  private static List<String> without(List<String> all, List<String> removed) {
    List<String> out = new ArrayList<>(all);
    out.removeAll(removed);
    return out;
  }
}
