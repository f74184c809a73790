package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class GrudgeTest {
  private static final List<String> THREE = List.of("n1", "n2", "n3");
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  @Test
  void isolateCutsOneNodeBothWays() {
    Grudge g = Grudge.isolate("n2", THREE);
    assertEquals(Set.of(), g.hears("n2", THREE));
    assertEquals(Set.of("n3"), g.hears("n1", THREE));
  }

  @Test
  void halvesAreAMinorityAndAMajority() {
    Grudge g = Grudge.halves(FIVE, new Random(3));
    Set<Integer> sides = new HashSet<>();
    FIVE.forEach(n -> sides.add(g.hears(n, FIVE).size() + 1));
    assertEquals(Set.of(2, 3), sides);
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 5, 7})
  void ringGivesEveryNodeADifferentMajority(int n) {
    List<String> ids =
        FIVE.size() >= n ? FIVE.subList(0, n) : List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7");
    Grudge g = Grudge.majoritiesRing(ids, new Random(11));
    Set<Set<String>> majorities = new HashSet<>();
    for (String node : ids) {
      Set<String> seen = new HashSet<>(g.hears(node, ids));
      seen.add(node);
      assertTrue(seen.size() > n / 2, node + " hears a majority: " + seen);
      assertTrue(seen.size() < n, node + " does not hear everyone");
      majorities.add(seen);
    }
    assertEquals(n, majorities.size(), "no two nodes share a majority");
  }

  @Test
  void sameSeedSameShape() {
    assertEquals(
        Grudge.majoritiesRing(FIVE, new Random(5)), Grudge.majoritiesRing(FIVE, new Random(5)));
    assertNotEquals(
        Grudge.halves(FIVE, new Random(1)).drops(), Grudge.halves(FIVE, new Random(2)).drops());
  }

  @Test
  void firewallRulesMatchPeersOnlyInOneChain() {
    Map<String, String> ips = Map.of("n1", "172.30.0.2", "n2", "172.30.0.3", "n3", "172.30.0.4");
    List<List<String>> rules = Firewall.rules("n1", Grudge.isolate("n1", THREE), ips);
    assertEquals(2, rules.size());
    assertEquals(
        List.of("iptables", "-w", "-A", Firewall.CHAIN, "-s", "172.30.0.3", "-j", "DROP"),
        rules.get(0));
    // One-way: only n1's replies on n2's own connections pass; everything else from n1 (its
    // established streams included, not only new connections) is dropped.
    List<List<String>> oneWay = Firewall.rules("n2", Grudge.oneWay("n1", "n2"), ips);
    assertEquals(2, oneWay.size(), oneWay.toString());
    assertTrue(
        String.join(" ", oneWay.get(0))
            .contains(
                "-s 172.30.0.2 -m conntrack --ctstate ESTABLISHED,RELATED --ctdir REPLY -j RETURN"),
        oneWay.toString());
    assertEquals(
        List.of("iptables", "-w", "-A", Firewall.CHAIN, "-s", "172.30.0.2", "-j", "DROP"),
        oneWay.get(1));
    assertFalse(
        oneWay.stream().anyMatch(r -> r.contains("NEW")),
        "a one-way cut must not spare established connections: " + oneWay);
    assertTrue(Firewall.rules("n1", Grudge.oneWay("n1", "n2"), ips).isEmpty(), "n1 drops nothing");
    assertTrue(
        Firewall.setup().stream().anyMatch(r -> r.contains("conntrack")),
        "connection tracking is loaded from the container's start");
    List<String> loss = Firewall.loss(List.of("n2"), 0.25, ips).get(0);
    assertTrue(
        String.join(" ", loss).contains("-m statistic --mode random --probability 0.2500 -j DROP"),
        loss.toString());
    assertThrows(IllegalArgumentException.class, () -> Firewall.loss(List.of("n2"), 0, ips));
    assertThrows(
        IllegalArgumentException.class,
        () -> Firewall.rules("n1", Grudge.isolate("n1", List.of("n1", "n9")), ips));
  }
}
