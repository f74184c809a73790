package dev.quorumdns.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What retry-join entries turn into; a name that cannot be looked up makes the round incomplete.
 */
class RetryJoinTargetsTest {
  @Test
  void addressesKeepTheirPortOrTakeTheApiPort() {
    RetryJoinTargets.Resolved r =
        RetryJoinTargets.resolve(
            List.of(
                "10.0.0.1", "10.0.0.2:9000", "[fd00::3]:9001", "[fd00::4]", "fd00::5", "10.0.0.1"),
            8053);
    assertEquals(
        List.of(
            new HostPort("10.0.0.1", 8053),
            new HostPort("10.0.0.2", 9000),
            new HostPort("fd00::3", 9001),
            new HostPort("fd00::4", 8053),
            new HostPort("fd00::5", 8053)),
        r.targets());
    assertTrue(r.complete());
  }

  @Test
  void aNameBecomesEachOfItsAddresses() {
    RetryJoinTargets.Resolved r = RetryJoinTargets.resolve(List.of("localhost:7000"), 8053);
    assertTrue(r.complete(), r.problems().toString());
    assertFalse(r.targets().isEmpty());
    r.targets().forEach(t -> assertEquals(7000, t.port()));
  }

  @Test
  void aNameThatDoesNotResolveMakesTheRoundIncomplete() {
    RetryJoinTargets.Resolved r =
        RetryJoinTargets.resolve(List.of("10.0.0.1", "no-such-host.invalid"), 8053);
    assertEquals(List.of(new HostPort("10.0.0.1", 8053)), r.targets());
    assertFalse(r.complete());
    assertTrue(r.problems().get(0).startsWith("no-such-host.invalid"), r.problems().toString());
  }
}
