package dev.quorumdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readiness notice to systemd: sent through the helper command only under a notify unit ({@code
 * NOTIFY_SOCKET} set), with the socket passed on; a failing helper is survived. (deploy/validate.sh
 * runs the real systemd-notify against a stand-in manager.)
 */
@Timeout(60)
class SystemdNotifyTest {
  @TempDir Path dir;

  /**
   * A stand-in for systemd-notify that records its arguments and the socket it was given, and exits
   * {@code code}.
   */
  private Path fakeNotify(int code) throws Exception {
    Path script = dir.resolve("systemd-notify");
    Files.writeString(
        script,
        "#!/bin/sh\necho \"$NOTIFY_SOCKET $*\" > "
            + dir.resolve("called")
            + "\nexit "
            + code
            + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  @Test
  void underANotifyUnitTheHelperIsToldTheNodeIsReady() throws Exception {
    Path helper = fakeNotify(0);
    assertTrue(
        SystemdNotify.ready(
            Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), helper.toString(), "node n1 up"));
    // The child inherits this JVM's environment, not the map; the map only decides whether to
    // notify.
    assertTrue(
        Files.readString(dir.resolve("called")).strip().endsWith("--ready --status=node n1 up"),
        Files.readString(dir.resolve("called")));
  }

  @Test
  void withoutANotifySocketNothingRuns() throws Exception {
    Path helper = fakeNotify(0);
    assertFalse(SystemdNotify.ready(Map.of(), helper.toString(), "x"));
    assertFalse(SystemdNotify.ready(Map.of("NOTIFY_SOCKET", ""), helper.toString(), "x"));
    assertFalse(Files.exists(dir.resolve("called")));
  }

  @Test
  void aFailingOrMissingHelperIsSurvived() throws Exception {
    assertFalse(SystemdNotify.ready(Map.of("NOTIFY_SOCKET", "/x"), fakeNotify(1).toString(), "x"));
    assertEquals(true, Files.exists(dir.resolve("called")));
    assertFalse(
        SystemdNotify.ready(Map.of("NOTIFY_SOCKET", "/x"), dir.resolve("absent").toString(), "x"));
  }
}
