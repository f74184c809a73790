package dev.quorumdns.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each case runs a JVM of its own that believes it has two processors (the common pool is sized
 * once per JVM, so this JVM's own cannot be changed or observed unused).
 */
class CommonPoolTest {
  @Test
  void onTwoProcessorsTheJdkAloneStartsAThreadPerAsyncTask() throws Exception {
    String out = child(false);
    assertTrue(out.startsWith("shared=false "), out);
    assertTrue(out.contains("async=Thread-"), out); // CompletableFuture's thread per task
  }

  @Test
  void sizedFirstAsyncTasksRunOnThePoolsThreads() throws Exception {
    String out = child(true);
    assertTrue(out.startsWith("shared=true "), out);
    assertTrue(out.contains("async=ForkJoinPool.commonPool-worker-"), out);
    assertTrue(out.contains("delayed=ForkJoinPool.commonPool-worker-"), out);
    // Room beside Ratis' own waits in the pool (stopAsync's polling) for the followers' appends.
    assertTrue(out.endsWith(" parallelism=" + CommonPool.THREADS), out);
  }

  @Test
  void anOperatorsOwnSettingIsKept() throws Exception {
    String out = child(true, "-D" + CommonPool.PARALLELISM + "=1");
    assertTrue(out.startsWith("shared=false "), out);
  }

  private static String child(boolean size, String... jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:ActiveProcessorCount=2");
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
    cmd.add(Boolean.toString(size));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** Prints whether the pool is shared and which threads ran an async and a delayed task. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      boolean shared = Boolean.parseBoolean(args[0]) ? CommonPool.size() : CommonPool.shared();
      String async = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName()).join();
      CompletableFuture<String> delayed = new CompletableFuture<>();
      CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)
          .execute(() -> delayed.complete(Thread.currentThread().getName()));
      System.out.println(
          "shared="
              + shared
              + " async="
              + async
              + " delayed="
              + delayed.join()
              + " parallelism="
              + ForkJoinPool.getCommonPoolParallelism());
    }
  }
}
