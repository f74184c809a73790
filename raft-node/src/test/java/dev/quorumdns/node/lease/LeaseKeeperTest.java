package dev.quorumdns.node.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's deadlines against a real registry, with leadership and the monotonic clock in the
 * test's hands and writes applied at once (as if Raft committed them): expiry after a TTL without
 * keepalive and never before, a keepalive moving the deadline without a log entry, a fresh TTL for
 * every lease in a new term, retries.
 */
class LeaseKeeperTest {
  private static final long TTL = 10_000;
  private static final long MS = 1_000_000;
  private static final long ID = 0x42;
  private static final ServiceKey WEB = new ServiceKey("shop", "web");

  @TempDir Path dir;
  private Registry registry;
  private final AtomicLong term = new AtomicLong(-1);

  /** Whether a majority answered the leader lately. */
  private final AtomicBoolean majority = new AtomicBoolean(true);

  /** The term of the entries commands land in, when not this node's leading term (0: the same). */
  private final AtomicLong entryTerm = new AtomicLong();

  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final List<Command> sent = new ArrayList<>();

  /** What the next write answers; null: apply it and answer Applied. */
  private CompletableFuture<WriteResult> nextAnswer;

  private LeaseKeeper keeper;

  @BeforeEach
  void setUp() {
    registry = TestRegistries.open(dir, ClusterSettings.defaults());
    keeper = new LeaseKeeper(registry, term::get, this::submit, now::get, majority::get);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private CompletableFuture<WriteResult> submit(Command c) {
    sent.add(c);
    CompletableFuture<WriteResult> answer = nextAnswer;
    nextAnswer = null;
    if (answer != null) {
      return answer;
    }
    return CompletableFuture.completedFuture(
        new WriteResult.Applied(
            TestRegistries.applyInTerm(
                registry,
                entryTerm.get() > 0 ? entryTerm.get() : term.get(),
                c,
                TestRegistries.T0)));
  }

  private void grantWithEndpoint() {
    TestRegistries.apply(registry, new Command.GrantLease(ID, TTL));
    TestRegistries.register(
        registry,
        WEB.namespace(),
        WEB.name(),
        new ServiceSpec(
            List.of(),
            List.of(
                new Endpoint("10.0.0.1", 80, null, Health.PASSING, ID),
                new Endpoint("10.0.0.2", 80, null)),
            Map.of(),
            null,
            null));
    keeper.tick(); // the leader's next tick sees the grant
  }

  private void advance(long millis) {
    now.addAndGet(millis * MS);
    keeper.tick();
  }

  @Test
  void aLeaseLeftAloneExpiresAfterItsTtlAndNotBefore() {
    term.set(3);
    grantWithEndpoint();
    assertEquals(1, keeper.tracked());
    advance(TTL - 1);
    assertEquals(List.of(), sent, "not before its TTL");
    advance(1);
    assertEquals(List.of(new Command.ExpireLeases(List.of(ID), 3)), sent);
    assertNull(registry.lease(ID));
    assertEquals(
        List.of(new Endpoint("10.0.0.2", 80, null)), registry.view().get(WEB).spec().endpoints());
    advance(TTL);
    assertEquals(1, sent.size(), "proposed once");
    assertEquals(0, keeper.tracked());
  }

  /**
   * A tick runs on a scheduler that cancels a task for good once it throws: a failure in one tick
   * must not end every later expiry on this leader.
   */
  @Test
  void aTickThatFailsIsSaidAndTheNextOneStillExpires() {
    AtomicBoolean failing = new AtomicBoolean(true);
    keeper =
        new LeaseKeeper(
            registry,
            () -> {
              if (failing.get()) {
                throw new IllegalStateException("division closing");
              }
              return term.get();
            },
            this::submit,
            now::get,
            majority::get);
    term.set(3);
    grantWithEndpoint();
    keeper.tick(); // throws inside: said, not thrown
    failing.set(false);
    keeper.tick(); // leads now: the lease's TTL runs from here
    advance(TTL - 1);
    assertEquals(List.of(), sent);
    advance(1);
    assertEquals(List.of(new Command.ExpireLeases(List.of(ID), 3)), sent);
  }

  @Test
  void aKeepaliveMovesTheDeadlineWithoutALogEntry() {
    term.set(3);
    grantWithEndpoint();
    for (int i = 0; i < 10; i++) {
      advance(TTL - 1);
      LeaseQueries.Answer a = keeper.keepAlive(ID);
      assertEquals(
          new LeaseQueries.Answer(LeaseQueries.Result.LIVE, TTL, TTL, TestRegistries.T0), a);
    }
    assertEquals(List.of(), sent, "ten keepalives, no log entry, no expiry");
    advance(TTL / 2);
    assertEquals(TTL / 2, keeper.status(ID).remainingMillis());
    assertEquals(List.of(), sent);
  }

  @Test
  void aNewLeaderGivesEveryLeaseAFreshTtl() {
    term.set(3);
    grantWithEndpoint();
    advance(TTL - 1);
    term.set(-1);
    advance(1);
    assertEquals(0, keeper.tracked(), "a follower tracks nothing");
    assertEquals(LeaseQueries.Result.NOT_LEADER, keeper.keepAlive(ID).result());
    advance(5 * TTL);
    assertEquals(List.of(), sent, "nothing is expired without a leader");
    term.set(4);
    keeper.tick(); // the first tick of the new term
    advance(TTL - 1);
    assertEquals(List.of(), sent, "the new term restarted the full TTL");
    advance(1);
    assertEquals(List.of(new Command.ExpireLeases(List.of(ID), 4)), sent);
  }

  /**
   * A leader cut off from the majority still passes Ratis' read index when its commit index has not
   * moved, so the keeper itself refuses keepalives once the majority has not answered lately: the
   * successor never hears of them, and the client must go to it.
   */
  @Test
  void aLeaderTheMajorityNoLongerAnswersTakesNoKeepalive() {
    term.set(3);
    grantWithEndpoint();
    assertEquals(LeaseQueries.Result.LIVE, keeper.keepAlive(ID).result());
    majority.set(false);
    assertEquals(LeaseQueries.Result.NOT_LEADER, keeper.keepAlive(ID).result());
    majority.set(true);
    assertEquals(LeaseQueries.Result.LIVE, keeper.keepAlive(ID).result());
  }

  /**
   * A leader paused (SIGSTOP) past the TTL still believes it leads in its term when it resumes and
   * proposes the expiry at once; by then another leader took over, and the write path hands the
   * proposal on to it. Appended in the new term, the expiry ends nothing.
   */
  @Test
  void anExpiryFromALeaderDeposedWhilePausedEndsNothingUnderItsSuccessor() {
    term.set(3);
    grantWithEndpoint();
    entryTerm.set(4); // the successor appends whatever arrives now
    advance(5 * TTL);
    assertEquals(List.of(new Command.ExpireLeases(List.of(ID), 3)), sent);
    assertNotNull(registry.lease(ID), "the lease its successor keeps alive is still there");
    assertEquals(2, registry.view().get(WEB).spec().endpoints().size());
  }

  /**
   * A leader deposed while paused: from the instant it resumes until its stall watch notices, and
   * for the quiet time after, it takes no keepalive and proposes no expiry (extended chaos run
   * 2024120625: it expired four leases at once and answered a keepalive 404 while its successor's
   * fresh TTLs still ran). If it still leads afterwards, every lease gets a fresh TTL.
   */
  @Test
  void aResumedLeaderDecidesNothingOnTheDeadlinesItHeldBeforeTheStall() {
    AtomicBoolean stalled = new AtomicBoolean();
    keeper =
        new LeaseKeeper(registry, term::get, this::submit, now::get, majority::get, stalled::get);
    term.set(3);
    grantWithEndpoint();
    now.addAndGet(5 * TTL * MS); // stood still past the TTL
    stalled.set(true); // resumed; the stall watch has not ticked yet
    keeper.tick();
    assertEquals(List.of(), sent, "no expiry from deadlines that ran on during the stall");
    assertEquals(LeaseQueries.Result.NOT_LEADER, keeper.keepAlive(ID).result());
    keeper.afterStall(Duration.ofMillis(300));
    stalled.set(false);
    advance(299);
    assertEquals(LeaseQueries.Result.NOT_LEADER, keeper.keepAlive(ID).result(), "still quiet");
    assertEquals(List.of(), sent);
    advance(1);
    assertEquals(LeaseQueries.Result.LIVE, keeper.keepAlive(ID).result(), "still leading");
    advance(TTL - 1);
    assertEquals(List.of(), sent, "a fresh TTL from the end of the quiet time");
    advance(1);
    assertEquals(List.of(new Command.ExpireLeases(List.of(ID), 3)), sent);
  }

  @Test
  void aTermChangeWithoutAGapAlsoRestartsTheTtl() {
    term.set(3);
    grantWithEndpoint();
    advance(TTL - 1);
    term.set(5); // lost and won again between two ticks
    keeper.tick();
    advance(TTL - 1);
    assertEquals(List.of(), sent);
    advance(1);
    assertEquals(1, sent.size());
  }

  @Test
  void aLeaseGrantedWhileLeadingIsTrackedFromWhenItIsSeen() {
    term.set(3);
    keeper.tick();
    TestRegistries.apply(registry, new Command.GrantLease(ID, TTL));
    assertEquals(
        LeaseQueries.Result.LIVE,
        keeper.keepAlive(ID).result(),
        "a keepalive right after the grant");
    assertEquals(LeaseQueries.Result.UNKNOWN, keeper.keepAlive(0x43).result(), "never granted");
    TestRegistries.apply(registry, new Command.RevokeLease(ID));
    assertEquals(LeaseQueries.Result.UNKNOWN, keeper.keepAlive(ID).result(), "revoked");
    assertEquals(0, keeper.tracked());
  }

  @Test
  void aLeaseBeingExpiredIsNoLongerKeptAliveAndAFailedExpiryIsProposedAgain() {
    term.set(3);
    grantWithEndpoint();
    CompletableFuture<WriteResult> pending = new CompletableFuture<>();
    nextAnswer = pending;
    advance(TTL);
    assertEquals(1, sent.size());
    assertEquals(
        LeaseQueries.Result.UNKNOWN,
        keeper.keepAlive(ID).result(),
        "once the expiry is proposed, a keepalive cannot save the lease: the client is told at once");
    advance(TTL);
    assertEquals(1, sent.size(), "not proposed twice while the first is in flight");
    pending.complete(new WriteResult.Unknown("timed out"));
    advance(1);
    assertEquals(2, sent.size(), "proposed again after an unknown outcome");
    assertNull(registry.lease(ID));
  }

  @Test
  void theAnswerTravelsInItsOwnVersionedFormat() throws Exception {
    term.set(3);
    grantWithEndpoint();
    byte[] request = LeaseQueries.request(LeaseQueries.Op.KEEPALIVE, ID);
    assertEquals("4c010000000000000042", HexFormat.of().formatHex(request));
    assertTrue(LeaseQueries.isRequest(request));
    byte[] answer = keeper.answer(request);
    assertEquals("4c01904e904e0000018bcfe56800", HexFormat.of().formatHex(answer));
    assertEquals(
        new LeaseQueries.Answer(LeaseQueries.Result.LIVE, TTL, TTL, TestRegistries.T0),
        LeaseQueries.decodeAnswer(answer));
    assertEquals(
        "4c02",
        HexFormat.of()
            .formatHex(keeper.answer(LeaseQueries.request(LeaseQueries.Op.STATUS, 0x43))));
    term.set(-1);
    assertEquals("4c03", HexFormat.of().formatHex(keeper.answer(request)));
    assertNotNull(LeaseQueries.decodeRequest(request));
  }
}
