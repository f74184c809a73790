package dev.quorumdns.chaos.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a node process gets a clock of its own inside a container that shares the host's clock:
 * Debian's libfaketime (package {@code faketime}, visible in the container through the host's
 * {@code /usr}) preloaded, reading its offset from {@value ContainerHostFaults#CLOCK_FILE} at most
 * once a second ({@code FAKETIME_CACHE_DURATION=1}: a change takes effect without a restart; with
 * no cache at all each clock read costs a file read, about 17 µs). Only the wall clock moves, as an
 * NTP step would move it: {@code FAKETIME_DONT_FAKE_MONOTONIC=1} keeps {@code System.nanoTime}
 * (Ratis' timers) real; {@code FAKETIME_FORCE_MONOTONIC_FIX=0} because the JVM hangs without it. A
 * missing offset file means no offset.
 */
public final class FakeClock {
  public static final String LIBRARY = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  static final String DATA_TMPFS_SIZE = "256m";

  private FakeClock() {}

  /** True when the host has libfaketime (and so the containers do). */
  public static boolean available() {
    return Files.isRegularFile(Path.of(LIBRARY));
  }

  /** The node's environment; empty (a real clock) when the host has no libfaketime. */
  public static Map<String, String> environment() {
    if (!available()) {
      return Map.of();
    }
    return Map.of(
        "LD_PRELOAD",
        LIBRARY,
        "FAKETIME_TIMESTAMP_FILE",
        ContainerHostFaults.CLOCK_FILE,
        "FAKETIME_CACHE_DURATION",
        "1",
        "FAKETIME_DONT_FAKE_MONOTONIC",
        "1",
        "FAKETIME_FORCE_MONOTONIC_FIX",
        "0");
  }
}
