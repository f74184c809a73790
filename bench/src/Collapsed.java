import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Summarises an async-profiler wall-clock profile in collapsed form recorded with {@code threads} (the first frame
 * of each stack names its thread): samples per thread pool, split into waiting (parked, sleeping, polling) and
 * working; the working samples by component (inclusive) and the hottest frames (self).
 *
 * <p>Usage: {@code Collapsed FILE.collapsed}
 */
public final class Collapsed {
  private static final String[] WAITING = {"park", "epoll_wait", "futex", "Object.wait", "Thread.sleep", "sleep0",
      "accept", "poll", "nanosleep", "pthread_cond", "sem_wait", "socketRead", "__libc_recv", "read0", "recvfrom",
      "select", "wait0", "WaitForSingle", "os::naked_short", "Monitor::wait"};
  private static final String[][] COMPONENTS = {
      {"ratis (gRPC, shaded Netty)", "org/apache/ratis/thirdparty/"}, {"ratis", "org/apache/ratis/"},
      {"quorumdns", "dev/quorumdns/"}, {"netty (HTTP API)", "io/netty/"}, {"jackson (JSON)", "com/fasterxml/jackson/"},
      {"rocksdb", "org/rocksdb/"}, {"micrometer", "io/micrometer/"}, {"file I/O, fsync", "force0"},
      {"logging", "ch/qos/logback"}};

  public static void main(String[] args) throws IOException {
    Map<String, long[]> threads = new HashMap<>();
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> component = new HashMap<>();
    long total = 0;
    long working = 0;
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      int sp = line.lastIndexOf(' ');
      if (sp < 0) {
        continue;
      }
      long n = Long.parseLong(line.substring(sp + 1).trim());
      String[] frames = line.substring(0, sp).split(";");
      String thread = frames[0].replaceAll("tid=\\d+", "").replaceAll("\\d+", "#").replaceAll("[\\[\\]]", "").trim();
      String leaf = frames[frames.length - 1];
      boolean waits = false;
      for (String w : WAITING) {
        waits |= leaf.contains(w);
      }
      long[] t = threads.computeIfAbsent(thread, k -> new long[2]);
      t[0] += n;
      total += n;
      if (waits) {
        continue;
      }
      t[1] += n;
      working += n;
      self.merge(leaf, n, Long::sum);
      String stack = String.join(";", frames);
      boolean counted = false;
      for (String[] c : COMPONENTS) {
        if (stack.contains(c[1])) {
          component.merge(c[0], n, Long::sum);
          counted = true;
          break;
        }
      }
      if (!counted) {
        component.merge(thread.startsWith("GC") || thread.contains("GC Thread") || thread.startsWith("VM Thread")
            ? "GC" : thread.contains("Compiler") ? "JIT compiler" : "other (JVM, kernel)", n, Long::sum);
      }
    }
    long all = Math.max(1, working);
    System.out.printf("samples %d, of which working %d (%.0f%%); wall-clock, every thread%n", total, working,
        100.0 * working / Math.max(1, total));
    System.out.println("working samples by component (first match from the top of the stack's packages):");
    component.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> System.out.printf("  %-28s %5.1f%%%n", e.getKey(), 100.0 * e.getValue() / all));
    System.out.println("threads (pool: samples, working):");
    threads.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(15)
        .forEach(e -> System.out.printf("  %-50s %7d %7d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
    System.out.println("hottest frames (self, working samples):");
    List<Map.Entry<String, Long>> hot = self.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(15).toList();
    hot.forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / all, e.getKey()));
  }

  private Collapsed() {}
}
