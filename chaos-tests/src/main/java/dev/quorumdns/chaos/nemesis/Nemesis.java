package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.history.FaultKind;
import java.util.List;
import java.util.Random;

/**
 * Injects one kind of fault. Implementations are immutable; all randomness comes from the caller.
 */
public interface Nemesis {
  FaultKind kind();

  /**
   * Injects the fault and returns how to heal it; throws {@link NotApplicable} when it cannot apply
   * now.
   */
  Active inject(ClusterControl cluster, Random random);

  /** A fault in force. */
  interface Active {
    List<String> targets();

    void heal();

    /**
     * What the fault saw while in force (e.g. whether a kill landed in a snapshot install), read by
     * the runner after {@link #heal} and recorded in the history; empty for most faults.
     */
    default List<String> notes() {
      return List.of();
    }
  }

  /** The fault cannot be injected now (e.g. no leader is known); the runner skips it. */
  final class NotApplicable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotApplicable(String why) {
      super(why);
    }
  }

  static Active active(List<String> targets, Runnable heal) {
    List<String> copy = List.copyOf(targets);
    return new Active() {
      @Override
      public List<String> targets() {
        return copy;
      }

      @Override
      public void heal() {
        heal.run();
      }
    };
  }
}
