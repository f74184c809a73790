package dev.quorumdns.chaos.nemesis;

/**
 * Faults of a node's host rather than its network or process: its clock (through libfaketime's
 * offset file, read by the node's JVM at run time; the real clock is never touched) and its disk
 * (files of a stopped node changed, its data area filled). A {@link ClusterControl} that can do
 * these implements this too; the clock and disk nemeses do not apply to one that does not. Driven
 * from the nemesis thread only, except the readiness probes.
 */
public interface HostFaults {
  /**
   * Sets the node's clock offset in whole seconds (0 for the real time); takes effect in the
   * running process within about a second. Returns false when the node has no fake clock.
   */
  boolean setClockOffset(String id, long seconds);

  /** Which file a disk corruption changes. */
  enum Corruption {
    /** The last bytes of the newest (open) Raft log segment cut off: a torn write. */
    TORN_LOG_TAIL,
    /** A byte of a closed Raft log segment changed. */
    FLIP_CLOSED_SEGMENT,
    /** A byte of a RocksDB file of the registry store changed. */
    FLIP_STORE,
    /** A byte of a file of the newest snapshot changed. */
    FLIP_SNAPSHOT
  }

  /**
   * Changes a file of the node's data directory as {@code corruption} says; the node process must
   * be gone. {@code pick} and {@code at} (in [0, 1)) choose the file and the place in it. Returns
   * what was done (file, offset), or null when the node has no such file.
   */
  String corrupt(String id, Corruption corruption, double pick, double at);

  /** True while the node's process exists. */
  boolean processAlive(String id);

  /** True when the node answers its readiness probe. */
  boolean ready(String id);

  /** The last lines of the node's log. */
  String logTail(String id, int lines);

  /**
   * Fills the node's data area until no space is left; returns the bytes written, or -1 when the
   * data area is not a small mount of its own (filling it would fill the host's disk).
   */
  long fillDisk(String id);

  /** Removes what {@link #fillDisk} wrote. */
  void freeDisk(String id);
}
