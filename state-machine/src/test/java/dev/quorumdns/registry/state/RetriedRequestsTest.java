package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write retried with the same request id after its first attempt was applied (the retry reached a
 * leader that restarted or installed a snapshot since, so Raft's in-memory retry cache did not know
 * it) is a second log entry: it must answer the first outcome and change nothing, on every replica
 * alike.
 */
class RetriedRequestsTest {
  private static final ServiceKey WEB = new ServiceKey("ns", "web");
  private static final RequestId DELETE_WEB = new RequestId(7, 11, 42);

  @TempDir Path dir;

  private static Outcome apply(Registry r, Command c, RequestId id, long timeMillis)
      throws IOException {
    return r.apply(1, r.meta().appliedIndex() + 1, new LogEntry(timeMillis, c), id);
  }

  private static Registry withWeb(Path d) {
    Registry r = TestRegistries.open(d);
    TestRegistries.register(r, "ns", "web", ServiceSpec.ofPorts());
    return r;
  }

  @Test
  void aRetriedDeleteAnswersTheFirstOutcomeAndChangesNothing() throws IOException {
    Registry r = withWeb(dir);
    long t = TestRegistries.T0;
    Outcome first = apply(r, new Command.DeleteService(WEB), DELETE_WEB, t);
    assertInstanceOf(Outcome.Deleted.class, first);
    long revision = r.meta().revision();
    TestRegistries.register(r, "ns", "other", ServiceSpec.ofPorts());
    long before = r.meta().revision();

    Outcome again = apply(r, new Command.DeleteService(WEB), DELETE_WEB, t + 1_000);
    assertEquals(first, again, "the retry answers what the first attempt did, not 'not found'");
    assertEquals(before, r.meta().revision(), "the retry changed nothing");
    assertEquals(before - 1, revision, "(one write between)");

    Outcome otherCall =
        apply(r, new Command.DeleteService(WEB), new RequestId(7, 11, 43), t + 2_000);
    assertInstanceOf(
        Outcome.NotFound.class, otherCall, "another call of the same client is a new write");
    r.close();
  }

  @Test
  void aRetryAfterARestartOrAnInstalledSnapshotIsStillRecognised() throws IOException {
    Registry r = withWeb(dir.resolve("a"));
    long t = TestRegistries.T0;
    Outcome first = apply(r, new Command.DeleteService(WEB), DELETE_WEB, t);
    Path checkpoint = dir.resolve("checkpoint");
    r.checkpoint(checkpoint);
    r.close();

    Registry restarted = TestRegistries.load(dir.resolve("a"));
    assertEquals(first, apply(restarted, new Command.DeleteService(WEB), DELETE_WEB, t + 500));
    restarted.close();

    Registry other = withWeb(dir.resolve("b"));
    other.restore(checkpoint);
    TestRegistries.register(other, "ns", "web", ServiceSpec.ofPorts());
    long before = other.meta().revision();
    assertEquals(
        first,
        apply(other, new Command.DeleteService(WEB), DELETE_WEB, t + 500),
        "the snapshot carries the remembered requests");
    assertEquals(before, other.meta().revision());
    other.close();
  }

  @Test
  void aRequestIsForgottenAfterTheWindowOfLogTime() throws IOException {
    Registry r = withWeb(dir);
    long t = TestRegistries.T0;
    apply(r, new Command.DeleteService(WEB), DELETE_WEB, t);
    TestRegistries.register(r, "ns", "web", ServiceSpec.ofPorts());
    // A later entry moves log time past the window: the old request is dropped, from memory and
    // from the store.
    apply(
        r,
        new Command.DeleteService(new ServiceKey("ns", "nothing")),
        new RequestId(1, 2, 3),
        t + RecentRequests.WINDOW_MILLIS);
    r.close();
    Registry again = TestRegistries.load(dir);
    Outcome late =
        apply(
            again,
            new Command.DeleteService(WEB),
            DELETE_WEB,
            t + RecentRequests.WINDOW_MILLIS + 1);
    assertInstanceOf(Outcome.Deleted.class, late, "past the window the same id is a new write");
    assertNull(again.view().get(WEB));
    again.close();
  }

  @Test
  void entriesWithoutARequestIdAreNeverTakenForRetries() throws IOException {
    Registry r = withWeb(dir);
    assertInstanceOf(
        Outcome.Deleted.class, apply(r, new Command.DeleteService(WEB), null, TestRegistries.T0));
    assertInstanceOf(
        Outcome.NotFound.class, apply(r, new Command.DeleteService(WEB), null, TestRegistries.T0));
    assertNull(
        RequestId.of(new byte[15], 1), "a client id that is not 16 bytes gives no request id");
    r.close();
  }
}
