package dev.quorumdns.node.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.node.runtime.LeaseStatus;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a node turns the leader's lease answers into results, and picks lease ids. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeLeasesTest {
  private final Deque<Object> answers = new ArrayDeque<>();
  private final List<Command> sent = new ArrayList<>();
  private final Deque<Long> randoms = new ArrayDeque<>(List.of(-7L, 0L, 5L, 6L, 7L));
  private final Deque<Outcome> outcomes = new ArrayDeque<>();
  private final NodeLeases leases =
      new NodeLeases(this::submit, this::ask, randoms::pop, Duration.ofSeconds(1));

  private CompletableFuture<WriteResult> submit(Command c) {
    sent.add(c);
    return CompletableFuture.completedFuture(new WriteResult.Applied(outcomes.pop()));
  }

  private CompletableFuture<byte[]> ask(byte[] request, Duration timeout) {
    Object a = answers.pop();
    return a instanceof Throwable t
        ? CompletableFuture.failedFuture(t)
        : CompletableFuture.completedFuture(LeaseQueries.answer((LeaseQueries.Answer) a));
  }

  private static NodeException failure(CompletableFuture<LeaseStatus> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(NodeException.class, e.getCause());
  }

  @Test
  void aKeepaliveAnsweredByAMemberThatNoLongerLeadsIsAskedAgain() {
    answers.add(LeaseQueries.Answer.NOT_LEADER);
    answers.add(LeaseQueries.Answer.NOT_LEADER);
    answers.add(new LeaseQueries.Answer(LeaseQueries.Result.LIVE, 5_000, 5_000, 42));
    assertEquals(new LeaseStatus(9, 5_000, 5_000, 42), leases.keepAlive(9).join());
  }

  @Test
  void noLeaderIsNoQuorumAndAnUnknownLeaseIsNotFoundNamingIt() {
    for (int i = 0; i < 5; i++) {
      answers.add(LeaseQueries.Answer.NOT_LEADER);
    }
    assertEquals(
        NodeException.Kind.NO_QUORUM,
        failure(leases.keepAlive(9)).kind(),
        "asked five times, then given up");
    answers.add(new IllegalStateException("no leader known"));
    assertEquals(NodeException.Kind.NO_QUORUM, failure(leases.status(9)).kind());
    answers.add(LeaseQueries.Answer.UNKNOWN);
    NodeException gone = failure(leases.keepAlive(9));
    assertEquals(NodeException.Kind.NOT_FOUND, gone.kind());
    assertEquals("lease", gone.field());
  }

  @Test
  void aGrantPicksAPositiveIdAndAnotherWhenItIsTaken() {
    outcomes.add(new Outcome.Conflict("id", "taken"));
    outcomes.add(new Outcome.LeaseGranted(new Lease(6, 5_000, 0)));
    WriteResult r = leases.grant(5_000).join();
    assertEquals(
        new Outcome.LeaseGranted(new Lease(6, 5_000, 0)), ((WriteResult.Applied) r).outcome());
    assertEquals(
        List.of(
            new Command.GrantLease(Long.MAX_VALUE - 6, 5_000), new Command.GrantLease(5, 5_000)),
        sent,
        "the sign bit is dropped and 0 is never used");
    assertThrows(ValidationException.class, () -> leases.grant(4_999));
  }
}
