package dev.quorumdns.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd that the node is ready, when it runs under a {@code Type=notify} unit ({@code
 * NOTIFY_SOCKET} set). The notification socket is a Unix datagram socket, which Java cannot write
 * to, so this runs {@code systemd-notify --ready} (the unit sets {@code NotifyAccess=all} so the
 * helper may speak for the node); systemd-notify waits until the manager has read the message.
 * Without {@code NOTIFY_SOCKET} it does nothing. Stateless; called once.
 */
final class SystemdNotify {
  private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);
  private static final long WAIT_SECONDS = 30;

  private SystemdNotify() {}

  /**
   * Sends {@code READY=1} with {@code status} through {@code command} (normally {@code
   * systemd-notify}) if {@code env} has a {@code NOTIFY_SOCKET}; returns whether it was sent. A
   * failure is logged, never thrown: the node runs either way.
   */
  static boolean ready(Map<String, String> env, String command, String status)
      throws InterruptedException {
    if (env.get("NOTIFY_SOCKET") == null || env.get("NOTIFY_SOCKET").isEmpty()) {
      return false;
    }
    List<String> cmd = List.of(command, "--ready", "--status=" + status);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        LOG.warn(
            "{} did not finish within {} s; systemd may not know that this node is ready",
            command,
            WAIT_SECONDS);
        return false;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        LOG.warn(
            "{} --ready failed (exit {}{}); systemd may not know that this node is ready",
            command,
            p.exitValue(),
            out.isEmpty() ? "" : ": " + out);
        return false;
      }
      LOG.info("told systemd this node is ready ({})", status);
      return true;
    } catch (IOException e) {
      LOG.warn("cannot run {} to tell systemd this node is ready: {}", command, e.toString());
      return false;
    }
  }
}
