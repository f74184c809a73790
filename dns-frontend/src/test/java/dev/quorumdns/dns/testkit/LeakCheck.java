package dev.quorumdns.dns.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaked a Netty buffer. Before each test it checks that detection runs at
 * PARANOID through {@link RecordingLeakDetector}; after it, it leaks one marked "canary" buffer,
 * collects garbage until Netty has reported the canary (a condition with a deadline, not a sleep:
 * the buffers the test dropped were collected in the same cycles), and then fails if anything else
 * was reported.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
  static final String CANARY = "leak-check canary";
  private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(20);

  @Override
  public void beforeEach(ExtensionContext context) {
    assertEquals(
        ResourceLeakDetector.Level.PARANOID,
        ResourceLeakDetector.getLevel(),
        "surefire sets io.netty.leakDetection.level=paranoid");
    assertTrue(
        RecordingLeakDetector.class
            .getName()
            .equals(System.getProperty("io.netty.customResourceLeakDetector")),
        "surefire installs the recording leak detector");
    RecordingLeakDetector.LEAKS.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    // Netty reports each distinct leak record once, so every canary carries its own hint.
    String canary = CANARY + " " + System.nanoTime();
    leak(canary);
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    while (RecordingLeakDetector.LEAKS.stream().noneMatch(l -> l.contains(canary))) {
      assertTrue(System.nanoTime() < deadline, "the leak detector never reported the canary");
      System.gc();
      // Allocating a tracked buffer is what makes Netty poll for collected, unreleased ones.
      PooledByteBufAllocator.DEFAULT.buffer(1).release();
      Thread.onSpinWait();
    }
    List<String> leaks =
        RecordingLeakDetector.LEAKS.stream().filter(l -> !l.contains(CANARY)).toList();
    RecordingLeakDetector.LEAKS.clear();
    assertTrue(leaks.isEmpty(), "buffers leaked:\n" + String.join("\n", leaks));
  }

  private static void leak(String hint) {
    PooledByteBufAllocator.DEFAULT.buffer(1).touch(hint);
  }
}
