package dev.quorumdns.chaos.standin;

/**
 * Prints the JVM's wall clock and monotonic clock every 100 ms ({@code wall=<millis>
 * mono=<nanos>}), so a test can see what time a process under libfaketime sees.
 */
public final class ClockProbe {
  private ClockProbe() {}

  public static void main(String[] args) throws InterruptedException {
    while (true) {
      System.out.println("wall=" + System.currentTimeMillis() + " mono=" + System.nanoTime());
      Thread.sleep(100);
    }
  }
}
