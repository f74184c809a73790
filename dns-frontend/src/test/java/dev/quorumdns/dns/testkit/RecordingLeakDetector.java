package dev.quorumdns.dns.testkit;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Netty leak detector that also remembers every leak it reports, so tests can fail on them. Netty
 * creates it (system property {@code io.netty.customResourceLeakDetector}, set by the module's
 * surefire configuration), so its record of leaks has to be static; {@link LeakCheck} reads and
 * clears it.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add(resourceType + records);
    if (!records.contains(LeakCheck.CANARY)) {
      super.reportTracedLeak(resourceType, records);
    }
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add(resourceType + " (untraced)");
    super.reportUntracedLeak(resourceType);
  }
}
