package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.cluster.Grudge;
import dev.quorumdns.chaos.history.FaultKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The suite's nemeses, one per {@link FaultKind}. Stateless factory. */
public final class Nemeses {
  private Nemeses() {}

  /**
   * Kinds only the autopilot scenario's script records (they need nodes added at run time): no
   * nemesis here.
   */
  public static final Set<FaultKind> SCRIPTED =
      Collections.unmodifiableSet(
          EnumSet.of(FaultKind.MEMBER_JOIN, FaultKind.MEMBER_DEAD, FaultKind.MEMBER_LEAVE));

  /** Every nemesis; {@code lossProbability} is used by packet loss. */
  public static Map<FaultKind, Nemesis> all(double lossProbability) {
    Map<FaultKind, Nemesis> out = new EnumMap<>(FaultKind.class);
    out.put(
        FaultKind.KILL_LEADER,
        simple(FaultKind.KILL_LEADER, (c, r) -> kill(c, List.of(leader(everyNodeBack(c))))));
    out.put(
        FaultKind.KILL_RANDOM,
        simple(FaultKind.KILL_RANDOM, (c, r) -> kill(c, pick(everyNodeBack(c).ids(), 1, r))));
    out.put(
        FaultKind.KILL_MAJORITY,
        simple(
            FaultKind.KILL_MAJORITY, (c, r) -> kill(c, pick(c.ids(), c.ids().size() / 2 + 1, r))));
    out.put(FaultKind.RESTART_ALL, simple(FaultKind.RESTART_ALL, (c, r) -> kill(c, c.ids())));
    out.put(
        FaultKind.PAUSE_LEADER,
        simple(
            FaultKind.PAUSE_LEADER,
            (c, r) -> {
              String leader = leader(c);
              if (r.nextBoolean()) {
                c.freeze(leader);
                return Nemesis.active(List.of(leader), () -> c.thaw(leader));
              }
              try {
                c.pauseContainer(leader);
              } catch (RuntimeException e) {
                // The cgroup freezer can give up ("OCI runtime pause failed: unable to freeze",
                // run short-11956882, a task in uninterruptible sleep): not a fault of the
                // cluster; skipped, after making sure nothing stays frozen.
                try {
                  c.unpauseContainer(leader);
                } catch (RuntimeException notPaused) {
                  e.addSuppressed(notPaused);
                }
                throw new Nemesis.NotApplicable(
                    "docker pause of " + leader + " failed: " + e.getMessage());
              }
              return Nemesis.active(List.of(leader), () -> c.unpauseContainer(leader));
            }));
    out.put(
        FaultKind.PARTITION_LEADER,
        simple(
            FaultKind.PARTITION_LEADER,
            (c, r) -> cut(c, List.of(leader(c)), Grudge.isolate(leader(c), c.ids()))));
    out.put(
        FaultKind.PARTITION_HALVES,
        simple(FaultKind.PARTITION_HALVES, (c, r) -> cutAll(c, Grudge.halves(c.ids(), r))));
    out.put(
        FaultKind.PARTITION_RING,
        simple(FaultKind.PARTITION_RING, (c, r) -> cutAll(c, Grudge.majoritiesRing(c.ids(), r))));
    out.put(
        FaultKind.PARTITION_ONE_WAY,
        simple(
            FaultKind.PARTITION_ONE_WAY,
            (c, r) -> {
              List<String> pair = pick(c.ids(), 2, r);
              return cut(c, pair, Grudge.oneWay(pair.get(0), pair.get(1)));
            }));
    out.put(
        FaultKind.PACKET_LOSS,
        simple(
            FaultKind.PACKET_LOSS,
            (c, r) -> {
              c.packetLoss(lossProbability);
              return Nemesis.active(c.ids(), c::healNetwork);
            }));
    out.put(
        FaultKind.MEMBER_CHANGE,
        simple(
            FaultKind.MEMBER_CHANGE,
            (c, r) -> {
              String leader = leader(c);
              List<String> followers = new ArrayList<>(c.ids());
              followers.remove(leader);
              String member = pick(followers, 1, r).get(0);
              c.removeMember(member);
              return Nemesis.active(List.of(member), () -> c.addMember(member));
            }));
    out.putAll(CombinedNemeses.all());
    ClockNemeses.addTo(out);
    DiskNemeses.addTo(out);
    return out;
  }

  private interface Injector {
    Nemesis.Active inject(ClusterControl cluster, Random random);
  }

  private static Nemesis simple(FaultKind kind, Injector injector) {
    return new Nemesis() {
      @Override
      public FaultKind kind() {
        return kind;
      }

      @Override
      public Active inject(ClusterControl cluster, Random random) {
        return injector.inject(cluster, random);
      }
    };
  }

  private static Nemesis.Active kill(ClusterControl c, List<String> targets) {
    targets.forEach(c::kill);
    return Nemesis.active(targets, () -> targets.forEach(c::start));
  }

  /**
   * {@code c}, once every node answers its readiness probe; not applicable before. A kill of one
   * node takes a minority down only when the node killed before it is back: restarts took 3-9 s in
   * CI, and a kill 0.2 s after the last one's restart took two of three nodes at once, so the kill
   * scenario lost its quorum for 20-30 s and its restarted nodes answered from what they held (CI
   * runs short-15819890 and short-4473391). Losing the quorum is the quorum-loss scenario's fault.
   */
  private static ClusterControl everyNodeBack(ClusterControl c) {
    List<String> notReady = c.ids().stream().filter(id -> !c.ready(id)).toList();
    if (!notReady.isEmpty()) {
      throw new Nemesis.NotApplicable(notReady + " not ready yet");
    }
    return c;
  }

  private static Nemesis.Active cut(ClusterControl c, List<String> targets, Grudge grudge) {
    c.partition(grudge);
    return Nemesis.active(targets, c::healNetwork);
  }

  private static Nemesis.Active cutAll(ClusterControl c, Grudge grudge) {
    return cut(c, new ArrayList<>(grudge.drops().keySet()), grudge);
  }

  private static String leader(ClusterControl c) {
    return c.leader().orElseThrow(() -> new Nemesis.NotApplicable("no leader known"));
  }

  /** {@code n} distinct ids chosen with {@code random}, in a stable order for a given seed. */
  static List<String> pick(List<String> ids, int n, Random random) {
    List<String> shuffled = new ArrayList<>(ids);
    Collections.sort(shuffled);
    Collections.shuffle(shuffled, random);
    return List.copyOf(shuffled.subList(0, Math.min(n, shuffled.size())));
  }
}
