package dev.quorumdns.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.membership.FormationPolicy.Self;
import dev.quorumdns.node.membership.FormationPolicy.Step;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import dev.quorumdns.node.runtime.FormationInfo.Phase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Many nodes running {@link FormationPolicy} against each other with arbitrary interleavings: a
 * round's probes are answered at one moment and acted upon later (other nodes may have moved
 * meanwhile), probes fail at random (incomplete rounds), nodes start late and some restart with
 * only their lock kept. Never two founding sets; with exactly bootstrap-expect nodes, every node
 * ends up founding the same set.
 */
class FormationSimulationTest {
  private static final long SEED = Long.getLong("quorumdns.formation.seed", 20261205L);
  private static final int RUNS = Integer.getInteger("quorumdns.formation.runs", 400);

  /** One simulated node. */
  private static final class Sim {
    final Self self;
    final int startsAt;
    List<Peer> locked;
    List<Peer> founded;
    boolean joined;
    List<Peer> proposal;
    List<FormationInfo> pending;
    boolean pendingComplete;

    Sim(String id, int expect, int startsAt) {
      this.self = new Self(id, id + ":9053", "quorumdns", expect);
      this.startsAt = startsAt;
    }

    boolean done() {
      return founded != null || joined;
    }
  }

  @Test
  void neverTwoFoundingSetsAndExactlyExpectNodesAlwaysForm() {
    Random seeds = new Random(SEED);
    for (int run = 0; run < RUNS; run++) {
      long seed = seeds.nextLong();
      try {
        simulate(seed);
      } catch (AssertionError e) {
        throw new AssertionError(
            "run "
                + run
                + " failed; seed "
                + seed
                + " (rerun with "
                + "-Dquorumdns.formation.seed="
                + SEED
                + "): "
                + e.getMessage(),
            e);
      }
    }
  }

  private static void simulate(long seed) {
    Random rnd = new Random(seed);
    int expect = 1 + rnd.nextInt(5);
    int count = expect + (rnd.nextBoolean() ? 0 : rnd.nextInt(expect));
    List<Sim> nodes = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("n" + (char) ('a' + i));
    }
    Collections.shuffle(ids, rnd);
    for (String id : ids) {
      nodes.add(new Sim(id, expect, rnd.nextInt(200)));
    }
    double failure = rnd.nextDouble() * 0.3;
    int chaotic = 3000;
    for (int step = 0; step < 20000; step++) {
      boolean calm = step > chaotic;
      Sim x = nodes.get(rnd.nextInt(nodes.size()));
      if (step < x.startsAt || x.done()) {
        continue;
      }
      if (!calm && rnd.nextDouble() < 0.01) {
        x.pending = null;
        x.proposal = null;
        continue;
      }
      if (x.pending != null && rnd.nextBoolean()) {
        act(x, FormationPolicy.decide(x.self, x.locked, x.pending, x.pendingComplete), nodes);
        x.pending = null;
        checkSafety(nodes);
        continue;
      }
      List<FormationInfo> seen = new ArrayList<>();
      boolean complete = true;
      for (Sim y : nodes) {
        if (y == x || step < y.startsAt) {
          continue;
        }
        if (!calm && rnd.nextDouble() < failure) {
          complete = false;
        } else {
          seen.add(info(y, nodes));
        }
      }
      x.pending = seen;
      x.pendingComplete = complete;
      if (nodes.stream().allMatch(Sim::done)) {
        break;
      }
    }
    checkSafety(nodes);
    if (count == expect) {
      for (Sim n : nodes) {
        assertTrue(
            n.founded != null,
            n.self.id() + " never founded (expect " + expect + ", " + count + " nodes)");
      }
    }
  }

  private static void act(Sim x, Step step, List<Sim> nodes) {
    if (step instanceof Step.Wait w) {
      x.proposal = w.proposal();
    } else if (step instanceof Step.Lock l) {
      assertEquals(null, x.locked, x.self.id() + " locked twice");
      x.locked = l.founders();
    } else if (step instanceof Step.Found f) {
      assertEquals(x.locked, f.founders(), x.self.id() + " founded a set it had not locked on");
      x.founded = f.founders();
    } else if (step instanceof Step.Join j) {
      assertTrue(leaderOf(j.via().voters(), nodes) != null, "joined a cluster without a leader");
      x.joined = true;
    }
  }

  /** At most one founding set among all nodes, and each of its founders locked on it. */
  private static void checkSafety(List<Sim> nodes) {
    Set<List<Peer>> sets = new HashSet<>();
    for (Sim n : nodes) {
      if (n.founded != null) {
        sets.add(n.founded);
      }
    }
    assertTrue(sets.size() <= 1, "two founding sets: " + sets);
    for (List<Peer> set : sets) {
      for (Peer p : set) {
        Sim founder =
            nodes.stream().filter(n -> n.self.id().equals(p.id())).findFirst().orElseThrow();
        assertTrue(
            founder.founded != null || set.equals(founder.locked),
            "a founding set " + set + " whose member " + p.id() + " is not locked on it");
      }
    }
  }

  /**
   * The leader of the cluster founded by {@code founders}: once a majority started, the smallest id
   * of those.
   */
  private static String leaderOf(List<Peer> founders, List<Sim> nodes) {
    List<String> started = new ArrayList<>();
    for (Peer p : founders) {
      nodes.stream()
          .filter(n -> n.self.id().equals(p.id()) && founders.equals(n.founded))
          .findFirst()
          .ifPresent(n -> started.add(n.self.id()));
    }
    return started.size() > founders.size() / 2
        ? started.stream().sorted().findFirst().orElseThrow()
        : null;
  }

  private static FormationInfo info(Sim y, List<Sim> nodes) {
    if (y.founded != null) {
      return new FormationInfo(
          y.self.id(),
          "quorumdns",
          y.self.raft(),
          null,
          y.self.expect(),
          Phase.MEMBER,
          y.founded,
          y.founded,
          leaderOf(y.founded, nodes),
          y.founded,
          List.of(),
          true,
          "");
    }
    if (y.joined) {
      List<Peer> cluster =
          nodes.stream()
              .filter(n -> n.founded != null)
              .map(n -> n.founded)
              .findFirst()
              .orElseThrow();
      return new FormationInfo(
          y.self.id(),
          "quorumdns",
          y.self.raft(),
          null,
          y.self.expect(),
          Phase.MEMBER,
          null,
          null,
          leaderOf(cluster, nodes),
          cluster,
          List.of(),
          true,
          "");
    }
    if (y.locked != null) {
      return new FormationInfo(
          y.self.id(),
          "quorumdns",
          y.self.raft(),
          null,
          y.self.expect(),
          Phase.LOCKED,
          y.locked,
          y.locked,
          null,
          List.of(),
          List.of(),
          false,
          "");
    }
    return new FormationInfo(
        y.self.id(),
        "quorumdns",
        y.self.raft(),
        null,
        y.self.expect(),
        Phase.DISCOVERING,
        null,
        y.proposal,
        null,
        List.of(),
        List.of(),
        false,
        "");
  }
}
