package dev.quorumdns.node.raft;

import java.lang.reflect.Field;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.AwaitForSignal;
import org.apache.ratis.util.MemoizedSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a Ratis server's state-machine updater (the thread that applies committed entries) a {@link
 * WakeUpSignal} in place of Ratis' own, whose wake-ups can be lost: a commit that lands while the
 * updater is between "nothing to apply" and its wait is applied up to 100 ms later (on the leader
 * the write's answer waits for it, on a follower its DNS answers). Ratis builds the updater inside
 * its server implementation with no way to choose the signal, so the field is replaced by
 * reflection; a Ratis without these fields loses only this, with one WARN. {@link RaftRuntime}
 * calls {@link #install} until it reports done. Stateless.
 */
final class UpdaterWakeUp {
  private static final Logger LOG = LoggerFactory.getLogger(UpdaterWakeUp.class);

  private UpdaterWakeUp() {}

  /**
   * Replaces the signal of {@code division}'s updater once the updater exists; true once it has, or
   * when this Ratis has no such field (said once here, so the caller stops asking); false while the
   * updater is not built yet.
   */
  static boolean install(RaftServer.Division division) {
    try {
      Object state = RatisFields.read(division, "state");
      Object supplier = RatisFields.read(state, "stateMachineUpdater");
      if (!(supplier instanceof MemoizedSupplier<?> memoized) || !memoized.isInitialized()) {
        return false; // not built yet: the division is still starting
      }
      Object updater = memoized.get();
      Field field = RatisFields.find(updater, "awaitForSignal");
      AwaitForSignal current = (AwaitForSignal) field.get(updater);
      if (!(current instanceof WakeUpSignal)) {
        field.set(updater, new WakeUpSignal(current, current));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "the state-machine updater's wake-up cannot be replaced with this Ratis ({}); a"
              + " committed entry may be applied up to 100 ms late",
          e.toString());
    }
    return true;
  }

  /** Whether {@code division}'s updater waits on a {@link WakeUpSignal} (tests). */
  static boolean installedIn(RaftServer.Division division) throws ReflectiveOperationException {
    Object state = RatisFields.read(division, "state");
    Object updater = ((MemoizedSupplier<?>) RatisFields.read(state, "stateMachineUpdater")).get();
    return RatisFields.read(updater, "awaitForSignal") instanceof WakeUpSignal;
  }
}
