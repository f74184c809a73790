package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.history.FaultKind;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disk faults. {@link FaultKind#DISK_CORRUPT}: one node is killed, one of its files is changed
 * ({@link HostFaults.Corruption}: a torn tail of the open Raft segment, a byte of a closed segment,
 * of a RocksDB file or of the newest snapshot) and it is started again; it must come back (ready)
 * or stop with a message. Healing waits for either; a node that stopped (or hangs starting) is
 * brought back as the README tells an operator: removed from the group, its data directory wiped,
 * started with {@code --join} and added again. {@link FaultKind#DISK_FULL}: one node's data area (a
 * small tmpfs) is filled; healing frees it and starts the node if it died. What the nodes did goes
 * to the run's log (one line per fault).
 */
public final class DiskNemeses {
  private static final Logger LOG = LoggerFactory.getLogger(DiskNemeses.class);
  private static final long START_MILLIS = 90_000;

  /**
   * How long healing a full disk waits for the node to be ready (within {@link
   * NemesisRunner#STEP_DEADLINE}, with room for freeing the space).
   */
  private static final long FULL_HEAL_MILLIS = 75_000;

  private DiskNemeses() {}

  /** Adds the disk nemeses to {@code out}. */
  public static void addTo(Map<FaultKind, Nemesis> out) {
    out.put(FaultKind.DISK_CORRUPT, simple(FaultKind.DISK_CORRUPT, DiskNemeses::corrupt));
    out.put(FaultKind.DISK_FULL, simple(FaultKind.DISK_FULL, DiskNemeses::fill));
  }

  private interface Injector {
    Nemesis.Active inject(ClusterControl cluster, HostFaults host, Random random);
  }

  private static Nemesis simple(FaultKind kind, Injector injector) {
    return new Nemesis() {
      @Override
      public FaultKind kind() {
        return kind;
      }

      @Override
      public Active inject(ClusterControl cluster, Random random) {
        if (!(cluster instanceof HostFaults host)) {
          throw new NotApplicable("this cluster has no disk control");
        }
        // Faults on a cluster without a leader would leave the node nobody to catch up from.
        if (cluster.leader().isEmpty()) {
          throw new NotApplicable("no leader known");
        }
        return injector.inject(cluster, host, random);
      }
    };
  }

  private static Nemesis.Active corrupt(ClusterControl c, HostFaults host, Random r) {
    String target = Nemeses.pick(c.ids(), 1, r).get(0);
    HostFaults.Corruption[] kinds = HostFaults.Corruption.values();
    int first = r.nextInt(kinds.length);
    double pick = r.nextDouble();
    double at = r.nextDouble();
    c.kill(target);
    waitFor(() -> !host.processAlive(target), 10_000);
    String done = null;
    HostFaults.Corruption used = null;
    for (int i = 0; i < kinds.length && done == null; i++) {
      used = kinds[(first + i) % kinds.length];
      done = host.corrupt(target, used, pick, at);
    }
    LOG.info("disk corrupt {}: {} {}", target, used, done == null ? "(no file to change)" : done);
    c.start(target);
    String what = used + " " + done;
    return Nemesis.active(List.of(target), () -> recover(c, host, target, what));
  }

  /**
   * Waits until the node is ready or gone; a node that is gone (or hangs) is wiped and re-added.
   */
  private static void recover(ClusterControl c, HostFaults host, String target, String what) {
    boolean settled = waitFor(() -> host.ready(target) || !host.processAlive(target), START_MILLIS);
    if (host.ready(target)) {
      LOG.info("disk corrupt {}: recovered from {}", target, what);
      return;
    }
    if (settled) {
      LOG.info(
          "disk corrupt {}: refused to start after {}; its log ends:\n{}",
          target,
          what,
          host.logTail(target, 8));
    } else {
      LOG.warn(
          "disk corrupt {}: neither ready nor stopped {} ms after {}; its log ends:\n{}",
          target,
          START_MILLIS,
          what,
          host.logTail(target, 20));
      c.kill(target);
      waitFor(() -> !host.processAlive(target), 10_000);
    }
    // The operator's way back (README, "A node whose data is damaged"): remove, wipe, join, add.
    c.removeMember(target);
    c.addMember(target);
    waitFor(() -> host.ready(target), START_MILLIS);
    LOG.info("disk corrupt {}: wiped and re-added (ready: {})", target, host.ready(target));
  }

  private static Nemesis.Active fill(ClusterControl c, HostFaults host, Random r) {
    String target = Nemeses.pick(c.ids(), 1, r).get(0);
    long bytes = host.fillDisk(target);
    if (bytes < 0) {
      throw new Nemesis.NotApplicable(target + "'s data area is not a small mount of its own");
    }
    LOG.info("disk full {}: wrote {} bytes until no space was left", target, bytes);
    return Nemesis.active(
        List.of(target),
        () -> {
          host.freeDisk(target);
          if (!comeBack(c, host, target, FULL_HEAL_MILLIS)) {
            LOG.warn(
                "disk full {}: not ready {} ms after space returned", target, FULL_HEAL_MILLIS);
          }
        });
  }

  /**
   * Waits for {@code target} to be ready, starting it (once) when its process is gone: a node whose
   * Raft log or store write failed on the full disk stops by itself once space returns (a failed
   * log or store is never written again in that process), and may still be stopping when healing
   * begins (landing rehearsal short-5309617: an apply failure, the node stopping 4 s later, the
   * heal looking just before and then waiting on a node that was gone). True when ready.
   */
  private static boolean comeBack(ClusterControl c, HostFaults host, String target, long millis) {
    boolean[] started = {false};
    long[] nextLook = {System.nanoTime()};
    return waitFor(
        () -> {
          if (host.ready(target)) {
            return true;
          }
          long now = System.nanoTime();
          // each look at the process is a docker exec: once a second
          if (!started[0] && now - nextLook[0] >= 0) {
            nextLook[0] = now + 1_000_000_000L;
            if (!host.processAlive(target)) {
              LOG.warn(
                  "disk full {}: the node stopped; its log ends:\n{}",
                  target,
                  host.logTail(target, 20));
              c.start(target);
              started[0] = true;
            }
          }
          return false;
        },
        millis);
  }

  /** Polls every 200 ms until {@code condition} or the deadline; true when it held. */
  private static boolean waitFor(BooleanSupplier condition, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
