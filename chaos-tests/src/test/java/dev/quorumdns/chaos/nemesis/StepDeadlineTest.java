package dev.quorumdns.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StepDeadlineTest {
  @Test
  void aHungStepFailsAtItsDeadlineInsteadOfHanging() {
    CountDownLatch never = new CountDownLatch(1);
    long started = System.nanoTime();
    StepDeadline.Overrun overrun =
        assertThrows(
            StepDeadline.Overrun.class,
            () -> StepDeadline.run("hung exec", Duration.ofMillis(200), () -> await(never)));
    assertTrue(overrun.getMessage().contains("hung exec"), overrun.getMessage());
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
  }

  @Test
  void resultsAndTheStepsOwnExceptionsPassThrough() {
    assertEquals(7, StepDeadline.call("quick", Duration.ofSeconds(5), () -> 7));
    assertThrows(
        Nemesis.NotApplicable.class,
        () ->
            StepDeadline.call(
                "no leader",
                Duration.ofSeconds(5),
                () -> {
                  throw new Nemesis.NotApplicable("no leader known");
                }));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
