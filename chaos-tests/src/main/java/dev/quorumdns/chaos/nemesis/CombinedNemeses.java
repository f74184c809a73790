package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.cluster.Grudge;
import dev.quorumdns.chaos.history.FaultKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults that do more than one thing at a time (Jepsen's combined nemesis): a pause of any node, a
 * partition while a node is killed, a membership change under a partition, a kill timed into a
 * re-added member's catch-up (snapshot install). Their targets are the nodes they stop. They share
 * one {@link NodeLedger}, so none stops a node that is already stopped, and a node an earlier heal
 * could not bring back is brought back first. Every step has a deadline ({@link Steps}). An
 * injection that fails part-way undoes what it did and does not apply ({@link
 * Nemesis.NotApplicable}, counted as skipped with its reason); a heal tries every step and then
 * throws the first failure.
 */
public final class CombinedNemeses {
  /** Deadline of a kill, start, freeze, thaw, pause or firewall step. */
  static final Duration STEP = Duration.ofSeconds(30);

  /** Deadline of a membership change (the control's own waits: 90 s to change, 30-60 s more). */
  static final Duration MEMBERSHIP = Duration.ofSeconds(160);

  /** The node's log line when Ratis finished installing a snapshot into it. */
  static final String INSTALLED = "installed snapshot";

  /** The node's log line when it stops because the cluster's configuration does not list it. */
  static final String REMOVED = ClusterControl.STOPPED_AS_REMOVED;

  /** The node's log line when its Raft server is up (a joiner: waiting to be added). */
  static final String RAFT_STARTED = "started on port";

  private static final Logger LOG = LoggerFactory.getLogger(CombinedNemeses.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final NodeLedger ledger = new NodeLedger();
  private final Duration step;
  private final Duration membership;
  private final int killDelayMillis;

  private CombinedNemeses(Duration step, Duration membership, int killDelayMillis) {
    this.step = step;
    this.membership = membership;
    this.killDelayMillis = killDelayMillis;
  }

  /** The combined nemeses, sharing one ledger (one per call: one per scenario). */
  public static Map<FaultKind, Nemesis> all() {
    return all(STEP, MEMBERSHIP, 2500);
  }

  /**
   * As {@link #all()} with other deadlines and the longest delay of a kill after a joiner's Raft
   * started (tests).
   */
  static Map<FaultKind, Nemesis> all(Duration step, Duration membership, int killDelayMillis) {
    CombinedNemeses c = new CombinedNemeses(step, membership, killDelayMillis);
    Map<FaultKind, Nemesis> out = new EnumMap<>(FaultKind.class);
    out.put(FaultKind.PAUSE_RANDOM, c.nemesis(FaultKind.PAUSE_RANDOM, c::pauseRandom));
    out.put(FaultKind.PARTITION_KILL, c.nemesis(FaultKind.PARTITION_KILL, c::partitionKill));
    out.put(
        FaultKind.MEMBER_CHANGE_PARTITION,
        c.nemesis(FaultKind.MEMBER_CHANGE_PARTITION, c::memberChangePartition));
    out.put(
        FaultKind.KILL_SNAPSHOT_INSTALL,
        c.nemesis(FaultKind.KILL_SNAPSHOT_INSTALL, c::killSnapshotInstall));
    return out;
  }

  private interface Injector {
    Fault inject(ClusterControl cluster, Random random);
  }

  private Nemesis nemesis(FaultKind kind, Injector injector) {
    return new Nemesis() {
      @Override
      public FaultKind kind() {
        return kind;
      }

      @Override
      public Active inject(ClusterControl cluster, Random random) {
        ledger.restore(cluster, step, membership);
        return injector.inject(cluster, random);
      }
    };
  }

  /** A fault in force: its targets, its heal steps in order, and what it saw. */
  static final class Fault implements Nemesis.Active {
    private final List<String> targets = new ArrayList<>();
    private final List<Runnable> heal = new ArrayList<>();
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public List<String> targets() {
      return List.copyOf(targets);
    }

    /** Runs every heal step, even after one failed; then throws the first failure. */
    @Override
    public void heal() {
      RuntimeException first = null;
      for (Runnable step : heal) {
        try {
          step.run();
        } catch (RuntimeException e) {
          LOG.warn("heal step failed: {}", e.toString());
          notes.add("heal step failed: " + e.getMessage());
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    }

    @Override
    public List<String> notes() {
      return List.copyOf(notes);
    }

    void note(String note) {
      notes.add(note);
    }
  }

  // ---- pause of any node ----

  private Fault pauseRandom(ClusterControl c, Random r) {
    String node = pickRunning(c, 1, r).get(0);
    boolean sigstop = r.nextBoolean();
    Fault f = new Fault();
    try {
      stop(c, node, sigstop ? NodeLedger.How.FROZEN : NodeLedger.How.PAUSED);
    } catch (RuntimeException e) {
      undo(c, node, e);
      throw notApplicable("pause-random", e);
    }
    f.targets.add(node);
    f.heal.add(() -> bringBack(c, node));
    f.note((sigstop ? "SIGSTOP " : "docker pause ") + node + leaderNote(c, node));
    return f;
  }

  // ---- a partition while a node is killed ----

  private Fault partitionKill(ClusterControl c, Random r) {
    String victim = pickRunning(c, 1, r).get(0);
    Shape shape = Shape.random(c.ids(), r);
    boolean killFirst = r.nextBoolean();
    boolean startBeforeHeal = r.nextBoolean();
    String leaderNote = leaderNote(c, victim);
    Fault f = new Fault();
    try {
      if (killFirst) {
        stop(c, victim, NodeLedger.How.KILLED);
        cut(c, shape);
      } else {
        cut(c, shape);
        stop(c, victim, NodeLedger.How.KILLED);
      }
    } catch (RuntimeException e) {
      undo(c, victim, e);
      throw notApplicable("partition-kill", e);
    }
    f.targets.add(victim);
    if (startBeforeHeal) {
      f.heal.add(() -> bringBack(c, victim));
      f.heal.add(() -> healNetwork(c));
    } else {
      f.heal.add(() -> healNetwork(c));
      f.heal.add(() -> bringBack(c, victim));
    }
    f.note(
        "killed "
            + victim
            + leaderNote
            + (killFirst ? " then cut " : " after cut ")
            + shape
            + (startBeforeHeal ? "; started before the cut healed" : "; started after heal"));
    return f;
  }

  // ---- a membership change under a partition ----

  private Fault memberChangePartition(ClusterControl c, Random r) {
    String leader = leader(c);
    List<String> followers = new ArrayList<>(ledger.running(c.ids()));
    followers.remove(leader);
    String member = pick(followers, 1, r).get(0);
    boolean removeUnderCut = r.nextBoolean();
    Fault f = new Fault();
    f.targets.add(member);
    if (removeUnderCut) {
      // The cut spares the member, so it hears of its own removal and stops itself; the change
      // waits for the cut to heal when the cut leaves the new configuration without a majority.
      List<String> others = new ArrayList<>(c.ids());
      others.remove(member);
      Shape shape = Shape.random(others, r);
      try {
        cut(c, shape);
      } catch (RuntimeException e) {
        undo(c, null, e);
        throw notApplicable("member-change-partition", e);
      }
      Future<?> removal = Steps.start(() -> c.removeMember(member));
      f.note("removing " + member + " (leader " + leader + ") under " + shape);
      f.heal.add(() -> healNetwork(c));
      f.heal.add(
          () -> {
            // a removal that failed is not followed by a re-add (see remove)
            Steps.await("remove " + member, membership, removal);
            ledger.stopped(member, NodeLedger.How.REMOVED);
            f.note(member + " removed");
            bringBack(c, member);
            f.note(member + " added");
          });
    } else {
      remove(c, member);
      int removals = c.logCount(member, REMOVED);
      Shape shape = Shape.random(c.ids(), r);
      try {
        cut(c, shape);
      } catch (RuntimeException e) {
        undo(c, null, e);
        throw notApplicable("member-change-partition", e);
      }
      Future<?> addition = Steps.start(() -> c.addMember(member));
      f.note("re-adding " + member + " (leader " + leader + ") under " + shape);
      f.heal.add(() -> healNetwork(c));
      f.heal.add(
          () -> {
            Steps.await("add " + member, membership, addition);
            ledger.back(member);
            int restarts = c.logCount(member, REMOVED) - removals;
            f.note(
                member
                    + " added"
                    + (restarts > 0
                        ? "; it stopped itself as removed "
                            + restarts
                            + " time(s) before that and was joined again from empty"
                        : ""));
          });
    }
    return f;
  }

  // ---- a kill timed into a re-added member's snapshot install ----

  private Fault killSnapshotInstall(ClusterControl c, Random r) {
    String leader = leader(c);
    List<String> followers = new ArrayList<>(ledger.running(c.ids()));
    followers.remove(leader);
    String joiner = pick(followers, 1, r).get(0);
    boolean killJoiner = r.nextBoolean();
    long delayMillis = r.nextInt(killDelayMillis);
    remove(c, joiner);
    int installsBefore = c.logCount(joiner, INSTALLED);
    int startsBefore = c.logCount(joiner, RAFT_STARTED);
    int removalsBefore = c.logCount(joiner, REMOVED);
    Future<?> addition = Steps.start(() -> c.addMember(joiner));
    Fault f = new Fault();
    f.targets.add(joiner);
    boolean started =
        poll(
            Duration.ofSeconds(60),
            () -> addition.isDone() || c.logCount(joiner, RAFT_STARTED) > startsBefore);
    // The leader streams the snapshot once the joiner is up and the add is asked (a few hundred
    // ms later); a random delay spreads the kills over before, during and after the install.
    poll(Duration.ofMillis(delayMillis), () -> false);
    String victim = killJoiner ? joiner : leader;
    int installsAtKill = c.logCount(joiner, INSTALLED);
    NodeLedger.How before = ledger.stopped().get(victim);
    ledger.stopped(victim, NodeLedger.How.KILLED);
    if (!killJoiner) {
      f.targets.add(victim);
    }
    try {
      Steps.within("kill " + victim, step, () -> c.kill(victim));
    } catch (Steps.DeadlineExceeded e) {
      f.note("kill " + victim + " timed out (it may have taken effect): " + e.getMessage());
    } catch (RuntimeException e) {
      // not killed: the heal must not start it; a joiner's add finishes in the heal
      ledger.back(victim);
      if (before != null) {
        ledger.stopped(victim, before);
      }
      f.note("kill " + victim + " failed: " + e.getMessage());
    }
    f.note(
        "killed "
            + (killJoiner ? "joiner " : "leader ")
            + victim
            + " "
            + delayMillis
            + " ms after "
            + joiner
            + (started ? "'s Raft started" : " (its Raft start not seen in 60 s)")
            + "; install finished before the kill: "
            + installState(installsBefore, installsAtKill));
    f.heal.add(() -> bringBack(c, victim));
    f.heal.add(
        () -> {
          // A joiner killed before its addition completed restarts with a configuration that
          // lists it (the snapshot's or an entry's from before its removal) and campaigns; a
          // leader no longer bootstrapping it answers "shut down", and the node stops as removed.
          // The addition itself joins it again from empty (ClusterControl#addMember), so the heal
          // only waits for it: a second addition from here raced the first one's restart of the
          // same node (CI run 7010906 failed the scenario on it).
          Steps.await("add " + joiner, membership, addition);
          ledger.back(joiner);
          int restarts = c.logCount(joiner, REMOVED) - removalsBefore;
          f.note(
              "joiner "
                  + joiner
                  + " added; installs finished by then: "
                  + installState(installsBefore, c.logCount(joiner, INSTALLED))
                  + (restarts > 0
                      ? "; it stopped itself as removed "
                          + restarts
                          + " time(s) after its restart and was joined again from empty"
                      : ""));
        });
    return f;
  }

  private static String installState(int before, int now) {
    if (before < 0 || now < 0) {
      return "unknown (no log)";
    }
    return now > before ? "yes (" + (now - before) + ")" : "no";
  }

  // ---- steps ----

  /**
   * Kills, freezes or pauses {@code node}, noted in the ledger first: a step that timed out may
   * still have taken effect.
   */
  private void stop(ClusterControl c, String node, NodeLedger.How how) {
    ledger.stopped(node, how);
    switch (how) {
      case KILLED -> Steps.within("kill " + node, step, () -> c.kill(node));
      case FROZEN -> Steps.within("freeze " + node, step, () -> c.freeze(node));
      case PAUSED -> Steps.within("pause " + node, step, () -> c.pauseContainer(node));
      case REMOVED -> throw new IllegalArgumentException("removal is not a stop step");
    }
  }

  /**
   * Removes {@code member} (awaited within the deadline) and notes it removed. A removal that
   * failed leaves the member in an unknown state (maybe still a voter, whose data must not be wiped
   * by a re-add), so it is not noted and the failure is not a skip but an error.
   */
  private void remove(ClusterControl c, String member) {
    try {
      Steps.within("remove " + member, membership, () -> c.removeMember(member));
    } catch (RuntimeException e) {
      throw new IllegalStateException("removing " + member + " failed: " + e.getMessage(), e);
    }
    ledger.stopped(member, NodeLedger.How.REMOVED);
  }

  /** Brings a node this ledger stopped back (start, thaw, unpause or add) and clears it. */
  private void bringBack(ClusterControl c, String node) {
    NodeLedger.How how = ledger.stopped().get(node);
    if (how == null) {
      return;
    }
    switch (how) {
      case KILLED -> Steps.within("start " + node, step, () -> c.start(node));
      case FROZEN -> Steps.within("thaw " + node, step, () -> c.thaw(node));
      case PAUSED -> Steps.within("unpause " + node, step, () -> c.unpauseContainer(node));
      case REMOVED -> Steps.within("add " + node, membership, () -> c.addMember(node));
    }
    ledger.back(node);
  }

  /** After a failed injection: heal the network and bring {@code node} back, best effort. */
  private void undo(ClusterControl c, String node, RuntimeException cause) {
    LOG.warn("injection failed, undoing: {}", cause.toString());
    try {
      healNetwork(c);
      if (node != null) {
        bringBack(c, node);
      }
    } catch (RuntimeException e) {
      // the ledger keeps the node; the next fault tries again first
      cause.addSuppressed(e);
    }
  }

  private void cut(ClusterControl c, Shape shape) {
    Steps.within("partition " + shape, step, () -> c.partition(shape.grudge()));
  }

  private void healNetwork(ClusterControl c) {
    Steps.within("heal network", step, c::healNetwork);
  }

  private static Nemesis.NotApplicable notApplicable(String what, RuntimeException cause) {
    Nemesis.NotApplicable n = new Nemesis.NotApplicable(what + " failed: " + cause.getMessage());
    n.initCause(cause);
    return n;
  }

  private List<String> pickRunning(ClusterControl c, int n, Random r) {
    List<String> running = ledger.running(c.ids());
    if (running.size() < n) {
      throw new Nemesis.NotApplicable("only " + running + " running");
    }
    return pick(running, n, r);
  }

  private static String leaderNote(ClusterControl c, String node) {
    return c.leader().filter(node::equals).isPresent() ? " (the leader)" : "";
  }

  private static String leader(ClusterControl c) {
    return c.leader().orElseThrow(() -> new Nemesis.NotApplicable("no leader known"));
  }

  private static List<String> pick(List<String> ids, int n, Random random) {
    if (ids.size() < n) {
      throw new Nemesis.NotApplicable("need " + n + " of " + ids);
    }
    return Nemeses.pick(ids, n, random);
  }

  /** Polls until {@code done} or the deadline; true when done. */
  private static boolean poll(Duration deadline, BooleanSupplier done) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!done.getAsBoolean()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        Thread.sleep(Math.max(1, Math.min(left / 1_000_000, POLL.toMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** A partition shape with its name, for notes. */
  record Shape(String name, Grudge grudge) {
    /** One of: isolate a node, halves, majorities ring, one-way cut between two nodes. */
    static Shape random(List<String> ids, Random r) {
      int choice = r.nextInt(ids.size() < 3 ? 2 : 4);
      return switch (choice) {
        case 0 -> {
          String node = Nemeses.pick(ids, 1, r).get(0);
          yield new Shape("isolate " + node, Grudge.isolate(node, ids));
        }
        case 1 -> {
          List<String> pair = Nemeses.pick(ids, 2, r);
          yield new Shape(
              "one-way " + pair.get(0) + "->" + pair.get(1),
              Grudge.oneWay(pair.get(0), pair.get(1)));
        }
        case 2 -> new Shape("halves", Grudge.halves(ids, r));
        default -> new Shape("ring", Grudge.majoritiesRing(ids, r));
      };
    }

    @Override
    public String toString() {
      return name + " " + grudge.drops();
    }
  }
}
