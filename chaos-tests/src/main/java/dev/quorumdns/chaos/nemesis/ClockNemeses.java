package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.history.FaultKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clock faults on one node or several (never the real clock: the offset file of each node's
 * libfaketime, see {@link HostFaults#setClockOffset}). A bump sets each target's wall clock ahead
 * or behind by seconds to minutes for the fault's hold; a strobe flips each target between its real
 * time and an offset every second or so (libfaketime reads the offset at most once a second) until
 * healed. Healing sets every target back to the real time, which is itself a jump. Offsets stay
 * within {@value #MAX_OFFSET_SECONDS} s so leader-stamped time never runs further ahead of the real
 * time than that (the suite's VIP hold-down is 10 minutes).
 */
public final class ClockNemeses {
  public static final long MAX_OFFSET_SECONDS = 180;
  private static final Logger LOG = LoggerFactory.getLogger(ClockNemeses.class);

  private ClockNemeses() {}

  /** Adds the clock nemeses to {@code out}. */
  public static void addTo(Map<FaultKind, Nemesis> out) {
    out.put(FaultKind.CLOCK_BUMP, nemesis(FaultKind.CLOCK_BUMP));
    out.put(FaultKind.CLOCK_STROBE, nemesis(FaultKind.CLOCK_STROBE));
  }

  /** An offset of seconds (a third of the time), tens of seconds or minutes, ahead or behind. */
  static long offset(Random r) {
    long magnitude =
        switch (r.nextInt(3)) {
          case 0 -> 1 + r.nextInt(9);
          case 1 -> 10 + r.nextInt(50);
          default -> 60 + r.nextInt((int) MAX_OFFSET_SECONDS - 59);
        };
    return r.nextBoolean() ? magnitude : -magnitude;
  }

  private static Nemesis nemesis(FaultKind kind) {
    return new Nemesis() {
      @Override
      public FaultKind kind() {
        return kind;
      }

      @Override
      public Active inject(ClusterControl cluster, Random random) {
        if (!(cluster instanceof HostFaults host)) {
          throw new NotApplicable("this cluster has no clock control");
        }
        List<String> targets =
            Nemeses.pick(cluster.ids(), 1 + random.nextInt(cluster.ids().size()), random);
        Map<String, Long> offsets = new LinkedHashMap<>();
        targets.forEach(t -> offsets.put(t, offset(random)));
        return kind == FaultKind.CLOCK_BUMP ? bump(host, offsets) : strobe(host, offsets);
      }
    };
  }

  private static Nemesis.Active bump(HostFaults host, Map<String, Long> offsets) {
    offsets.forEach(
        (id, s) -> {
          if (!host.setClockOffset(id, s)) {
            LOG.warn("clock bump: {} runs without libfaketime; its clock did not move", id);
          }
        });
    LOG.info("clock bump: {} (seconds)", offsets);
    return Nemesis.active(new ArrayList<>(offsets.keySet()), () -> reset(host, offsets));
  }

  private static Nemesis.Active strobe(HostFaults host, Map<String, Long> offsets) {
    AtomicBoolean stop = new AtomicBoolean();
    Thread strober =
        new Thread(
            () -> {
              boolean on = true;
              while (!stop.get()) {
                boolean shifted = on;
                offsets.forEach((id, s) -> host.setClockOffset(id, shifted ? s : 0));
                on = !on;
                synchronized (stop) {
                  try {
                    stop.wait(1100);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                }
              }
            },
            "clock-strobe");
    strober.setDaemon(true);
    strober.start();
    LOG.info("clock strobe: {} (seconds, on and off every 1.1 s)", offsets);
    return Nemesis.active(
        new ArrayList<>(offsets.keySet()),
        () -> {
          stop.set(true);
          synchronized (stop) {
            stop.notifyAll();
          }
          try {
            // one docker exec per target per flip; each is bounded by its own timeout
            strober.join(40_000L * offsets.size());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          reset(host, offsets);
        });
  }

  private static void reset(HostFaults host, Map<String, Long> offsets) {
    offsets.keySet().forEach(id -> host.setClockOffset(id, 0));
  }
}
