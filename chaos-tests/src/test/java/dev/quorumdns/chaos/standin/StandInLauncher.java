package dev.quorumdns.chaos.standin;

import dev.quorumdns.chaos.cluster.NodeLauncher;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link StandInNode} from the test classes, mounted read-only, with the JDK the tests run on.
 */
public final class StandInLauncher implements NodeLauncher {
  public static final int API_PORT = 8053;
  public static final int DNS_PORT = 53535;
  private static final String CLASSES = "/opt/standin";

  private final String javaHome = System.getProperty("java.home");

  @Override
  public Map<String, String> mounts() {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      out.put(
          Path.of(StandInNode.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString(),
          CLASSES);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the test classes", e);
    }
    if (!javaHome.startsWith("/usr/")) {
      out.put(javaHome, javaHome);
    }
    return out;
  }

  @Override
  public List<String> command(String id, Map<String, String> addresses) {
    return List.of(
        javaHome + "/bin/java",
        "-Xmx48m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xshare:auto",
        "-cp",
        CLASSES,
        StandInNode.class.getName(),
        id,
        String.valueOf(API_PORT),
        String.valueOf(DNS_PORT));
  }
}
