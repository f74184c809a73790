package dev.quorumdns.chaos.cluster;

import dev.quorumdns.chaos.nemesis.HostFaults;
import java.util.List;
import java.util.Locale;
import org.testcontainers.containers.Container.ExecResult;

/**
 * {@link HostFaults} on the containers of a {@link ChaosCluster}: shell scripts run by {@code
 * docker exec}, each bounded by {@code timeout}. The clock offset is the file libfaketime reads
 * ({@value #CLOCK_FILE}, outside the node's data directory so a wipe keeps it); the disk faults
 * change files under {@code /data/<id>} or fill {@code /data} when it is a small tmpfs. Stateless.
 */
final class ContainerHostFaults {
  static final String CLOCK_FILE = "/data/faketime";
  private static final String FILLER = "/data/filler";
  private static final long SMALL_KB = 2L * 1024 * 1024;

  private ContainerHostFaults() {}

  static boolean setClockOffset(ChaosNode node, long seconds) {
    String pid = "$(cat /run/node.pid 2>/dev/null)";
    String script =
        String.format(
            Locale.ROOT,
            "printf '%%+d' %d >%s.tmp && mv %s.tmp %s && "
                + "(grep -q libfaketime /proc/%s/environ 2>/dev/null && echo faked || echo real)",
            seconds,
            CLOCK_FILE,
            CLOCK_FILE,
            CLOCK_FILE,
            pid);
    return run(node, script).contains("faked");
  }

  static String corrupt(ChaosNode node, HostFaults.Corruption corruption, double pick, double at) {
    String out = run(node, corruptScript("/data/" + node.id(), corruption, pick, at)).strip();
    return out.isEmpty() || out.equals("none") ? null : out;
  }

  /** The shell script that corrupts a file under the data directory {@code d}. */
  static String corruptScript(String d, HostFaults.Corruption corruption, double pick, double at) {
    String files =
        switch (corruption) {
          case TORN_LOG_TAIL -> "ls -t " + d + "/raft/*/current/log_inprogress_* | head -n 1";
          case FLIP_CLOSED_SEGMENT -> "ls " + d + "/raft/*/current/log_[0-9]* | grep -v inprogress";
          case FLIP_STORE -> "ls " + d + "/state/*.sst " + d + "/state/*.log";
          case FLIP_SNAPSHOT ->
              "n=$(ls -d "
                  + d
                  + "/raft/*/sm/snapshot.* | sort -t_ -k2 -n | tail -n 1); "
                  + "[ -n \"$n\" ] && find \"$n\" -type f -size +0";
        };
    long p = (long) (pick * 1_000_000);
    long a = (long) (at * 1_000_000);
    String change =
        corruption == HostFaults.Corruption.TORN_LOG_TAIL
            // Ratis preallocates segments (zeros after the last entry): the end of the data is the
            // last non-zero byte. 1..min(400, end - 16) bytes before it are zeroed, as a write that
            // reached the disk only in part.
            ? "e=$(od -An -v -tu1 -w1 \"$f\" | grep -n -v '^ *0$' | tail -n 1 | cut -d: -f1); "
                + "[ -n \"$e\" ] && [ $e -gt 24 ] || { echo none; exit 0; }; m=$((e - 16)); "
                + "[ $m -gt 400 ] && m=400; c=$((1 + "
                + a
                + " * m / 1000000)); dd if=/dev/zero of=\"$f\" bs=1 seek=$((e - c)) count=$c"
                + " conv=notrunc 2>/dev/null; echo \"$f: zeroed the last $c of $e bytes written\""
            : "o=$(("
                + a
                + " * s / 1000000)); b=$(od -An -tu1 -j$o -N1 \"$f\" | tr -d ' '); "
                + "x=$((b ^ 90)); printf \"$(printf '\\\\%03o' $x)\" | "
                + "dd of=\"$f\" bs=1 seek=$o count=1 conv=notrunc 2>/dev/null; "
                + "echo \"$f: byte $o of $s: $b -> $x\"";
    return "set -- $({ "
        + files
        + "; } 2>/dev/null); [ $# -gt 0 ] || { echo none; exit 0; }; "
        + "i=$(("
        + p
        + " * $# / 1000000 + 1)); eval f=\\${$i}; s=$(stat -c %s \"$f\"); "
        + "[ $s -gt 0 ] || { echo none; exit 0; }; "
        + change;
  }

  static long fillDisk(ChaosNode node) {
    String script =
        "[ \"$(stat -f -c %T /data)\" = tmpfs ] || { echo -1; exit 0; }; "
            + "[ $(df -Pk /data | awk 'NR==2{print $2}') -le "
            + SMALL_KB
            + " ] || { echo -1; exit 0; }; "
            + "dd if=/dev/zero of="
            + FILLER
            + " bs=1M 2>/dev/null; stat -c %s "
            + FILLER;
    String out = run(node, script).strip();
    try {
      return Long.parseLong(out.substring(out.lastIndexOf('\n') + 1));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(node.id() + ": cannot fill /data: " + out, e);
    }
  }

  static void freeDisk(ChaosNode node) {
    run(node, "rm -f " + FILLER);
  }

  private static String run(ChaosNode node, String script) {
    ExecResult r = node.exec(List.of("/usr/bin/timeout", "30", "/bin/sh", "-c", script));
    return r.getStdout();
  }
}
