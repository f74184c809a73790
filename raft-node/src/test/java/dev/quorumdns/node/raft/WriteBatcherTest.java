package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Group commit: what is sent when, and how one entry's answer is split back into each write's
 * result. The sender is a hand-driven fake, so every step is synchronous and nothing waits.
 */
class WriteBatcherTest {
  /** Records what the batcher sends and lets the test answer each entry. */
  private static final class FakeSender
      implements Function<Command, CompletableFuture<WriteResult>> {
    final List<Command> sent = new ArrayList<>();
    final List<CompletableFuture<WriteResult>> answers = new ArrayList<>();
    int throwNext;

    @Override
    public CompletableFuture<WriteResult> apply(Command c) {
      sent.add(c);
      if (throwNext > 0) {
        throwNext--;
        throw new IllegalStateException("sender failed before sending");
      }
      CompletableFuture<WriteResult> f = new CompletableFuture<>();
      answers.add(f);
      return f;
    }
  }

  private static Command delete(int i) {
    return new Command.DeleteService(new ServiceKey("ns", "s" + i));
  }

  private static Outcome notFound(int i) {
    return new Outcome.NotFound(new ServiceKey("ns", "s" + i));
  }

  @Test
  void anIdleBatcherSendsEachWriteAloneAtOnce() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 2, 100);
    CompletableFuture<WriteResult> f = b.submit(delete(1));
    assertEquals(List.of(delete(1)), sender.sent);
    WriteResult r = new WriteResult.Applied(notFound(1));
    sender.answers.get(0).complete(r);
    assertSame(r, f.join());
  }

  @Test
  void writesArrivingWhileEntriesAreInFlightTravelAsOneGroupAndGetTheirOwnOutcomes() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 2, 100);
    b.submit(delete(1));
    b.submit(delete(2));
    List<CompletableFuture<WriteResult>> waiting = new ArrayList<>();
    for (int i = 3; i <= 6; i++) {
      waiting.add(b.submit(delete(i)));
    }
    assertEquals(2, sender.sent.size(), "two entries in flight: the others wait");
    waiting.forEach(w -> assertFalse(w.isDone()));

    sender.answers.get(0).complete(new WriteResult.Applied(notFound(1)));
    assertEquals(3, sender.sent.size());
    assertEquals(
        new Command.Group(List.of(delete(3), delete(4), delete(5), delete(6))), sender.sent.get(2));

    sender
        .answers
        .get(2)
        .complete(
            new WriteResult.Applied(
                new Outcome.GroupApplied(
                    List.of(notFound(3), notFound(4), notFound(5), notFound(6)))));
    for (int i = 0; i < 4; i++) {
      assertEquals(new WriteResult.Applied(notFound(i + 3)), waiting.get(i).join());
    }
  }

  @Test
  void aGroupIsNoLargerThanMaxGroup() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 1, 3);
    b.submit(delete(0));
    for (int i = 1; i <= 7; i++) {
      b.submit(delete(i));
    }
    sender.answers.get(0).complete(new WriteResult.Applied(notFound(0)));
    assertEquals(new Command.Group(List.of(delete(1), delete(2), delete(3))), sender.sent.get(1));
    sender
        .answers
        .get(1)
        .complete(
            new WriteResult.Applied(
                new Outcome.GroupApplied(List.of(notFound(1), notFound(2), notFound(3)))));
    assertEquals(new Command.Group(List.of(delete(4), delete(5), delete(6))), sender.sent.get(2));
  }

  /**
   * Commands of one entry share its revision, and the change log keeps one change per service and
   * revision: two writes of the same service go in different entries, and so does a lease
   * revocation, whose services depend on the state.
   */
  @Test
  void aGroupChangesEachServiceOnceAndALeaseRevocationTravelsAlone() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 1, 100);
    b.submit(delete(0));
    Command revoke = new Command.RevokeLease(7);
    for (Command c : List.of(delete(1), delete(2), delete(1), delete(3), revoke, delete(4))) {
      b.submit(c);
    }
    sender.answers.get(0).complete(new WriteResult.Applied(notFound(0)));
    assertEquals(new Command.Group(List.of(delete(1), delete(2))), sender.sent.get(1));
    sender
        .answers
        .get(1)
        .complete(
            new WriteResult.Applied(new Outcome.GroupApplied(List.of(notFound(1), notFound(2)))));
    assertEquals(new Command.Group(List.of(delete(1), delete(3))), sender.sent.get(2));
    sender
        .answers
        .get(2)
        .complete(
            new WriteResult.Applied(new Outcome.GroupApplied(List.of(notFound(1), notFound(3)))));
    assertEquals(revoke, sender.sent.get(3), "alone");
    sender.answers.get(3).complete(new WriteResult.Applied(new Outcome.LeaseNotFound(7)));
    assertEquals(delete(4), sender.sent.get(4));
  }

  @Test
  void aGroupAnsweredWithSomethingElseLeavesEveryWriteUnknown() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 1, 100);
    b.submit(delete(0));
    CompletableFuture<WriteResult> a = b.submit(delete(1));
    CompletableFuture<WriteResult> c = b.submit(delete(2));
    sender.answers.get(0).complete(new WriteResult.Applied(notFound(0)));
    // A group answer of the wrong size cannot be split either.
    sender
        .answers
        .get(1)
        .complete(new WriteResult.Applied(new Outcome.GroupApplied(List.of(notFound(1)))));
    assertInstanceOf(WriteResult.Unknown.class, a.join());
    assertInstanceOf(WriteResult.Unknown.class, c.join());
  }

  @Test
  void aGroupNotSentOrUnknownIsSoForEachWrite() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 1, 100);
    b.submit(delete(0));
    CompletableFuture<WriteResult> a = b.submit(delete(1));
    CompletableFuture<WriteResult> c = b.submit(delete(2));
    sender.answers.get(0).complete(new WriteResult.NotSent("no leader"));
    WriteResult notSent = new WriteResult.NotSent("no leader");
    sender.answers.get(1).complete(notSent);
    assertSame(notSent, a.join());
    assertSame(notSent, c.join());

    CompletableFuture<WriteResult> d = b.submit(delete(3));
    WriteResult unknown = new WriteResult.Unknown("timed out");
    sender.answers.get(2).complete(unknown);
    assertSame(unknown, d.join());
  }

  @Test
  void aSenderThatThrowsGivesItsSlotBack() {
    FakeSender sender = new FakeSender();
    WriteBatcher b = new WriteBatcher(sender, 2, 100);
    sender.throwNext = 2;
    CompletableFuture<WriteResult> first = submitIgnoringThrow(b, delete(1));
    CompletableFuture<WriteResult> second = submitIgnoringThrow(b, delete(2));
    CompletableFuture<WriteResult> third = b.submit(delete(3));
    assertEquals(
        3, sender.sent.size(), "the third write must be sent: the two failed sends hold no slot");
    sender.answers.get(0).complete(new WriteResult.Applied(notFound(3)));
    assertEquals(new WriteResult.Applied(notFound(3)), third.join());
    // The writes whose send threw end (exceptionally) rather than wait forever, and submit itself
    // does not throw.
    assertTrue(first != null && first.isCompletedExceptionally());
    assertTrue(second != null && second.isCompletedExceptionally());
  }

  private static CompletableFuture<WriteResult> submitIgnoringThrow(WriteBatcher b, Command c) {
    try {
      return b.submit(c);
    } catch (IllegalStateException e) {
      return null;
    }
  }
}
