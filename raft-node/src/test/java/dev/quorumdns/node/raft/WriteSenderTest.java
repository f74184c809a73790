package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.codec.OutcomeCodec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write (or a read the leader answers) to another node, its transport failure, and the retry at
 * the next leader.
 */
class WriteSenderTest {
  private static final RaftPeerId N1 = RaftPeerId.valueOf("n1");
  private static final RaftPeerId N2 = RaftPeerId.valueOf("n2");
  private static final RaftPeerId N3 = RaftPeerId.valueOf("n3");

  private final ExecutorService callbacks = Executors.newCachedThreadPool();
  private final CountDownLatch resetMayEnd = new CountDownLatch(1);

  @AfterEach
  void stop() {
    resetMayEnd.countDown();
    callbacks.shutdownNow();
  }

  /**
   * Ratis closes a reset channel on the thread that asks and waits up to 3 s there for gRPC's
   * graceful shutdown. A failed reply completes on a gRPC callback thread (or the JDK's one timer
   * thread, or a Ratis thread), so that wait must not happen on it: the write goes on to the new
   * leader while the reset still waits, and the thread that failed the reply is free at once.
   */
  @Test
  void aChannelResetThatWaitsHoldsNeitherTheFailingThreadNorTheRetry() throws Exception {
    AtomicReference<RaftPeerId> live = new AtomicReference<>(N2);
    CompletableFuture<RaftClientReply> toN2 = new CompletableFuture<>();
    List<RaftPeerId> sentTo = new CopyOnWriteArrayList<>();
    List<Thread> resetThreads = new CopyOnWriteArrayList<>();
    RaftClientRpc rpc =
        rpc(
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "sendRequestAsyncUnordered" -> {
                  RaftClientRequest r = (RaftClientRequest) args[0];
                  sentTo.add(r.getServerId());
                  return r.getServerId().equals(N2)
                      ? toN2
                      : CompletableFuture.completedFuture(applied(r));
                }
                case "handleException" -> {
                  // Like GrpcClientProtocolClient.close with a call still open on the channel.
                  resetThreads.add(Thread.currentThread());
                  resetMayEnd.await(10, TimeUnit.SECONDS);
                  return true;
                }
                default -> throw new UnsupportedOperationException(method.getName());
              }
            });
    WriteSender sender = sender(live, rpc);

    CompletableFuture<WriteResult> result =
        sender.send(new Command.DeleteService(new ServiceKey("ns", "a")));
    assertEquals(List.of(N2), sentTo);

    // The leader dies: its channel fails the call on a gRPC thread; an election named n3 meanwhile.
    live.set(N3);
    Thread grpc = new Thread(() -> toN2.completeExceptionally(new IOException("UNAVAILABLE")));
    long started = System.nanoTime();
    grpc.start();
    grpc.join(Duration.ofSeconds(9).toMillis());
    long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(
        heldMillis < 2000, "the thread that failed the reply was held " + heldMillis + " ms");

    WriteResult r = result.get(5, TimeUnit.SECONDS);
    assertInstanceOf(WriteResult.Applied.class, r);
    assertEquals(List.of(N2, N3), sentTo);
    assertEquals(1, resetMayEnd.getCount(), "the write was done while the reset still waited");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (resetThreads.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(1, resetThreads.size(), "the channel to the failed leader was reset once");
    assertNotEquals(grpc, resetThreads.get(0));
  }

  /**
   * A new leader that is not ready yet answers one write so, and Ratis' client fails every other
   * write on that stream with the same exception. The channel is fine: the writes try again after a
   * short pause without a reset (which would close the channel, and fail the writes on it again).
   */
  @Test
  void aLeaderNotReadyYetFailingTheStreamIsRetriedWithoutAReset() throws Exception {
    AtomicReference<RaftPeerId> live = new AtomicReference<>(N2);
    List<RaftPeerId> sentTo = new CopyOnWriteArrayList<>();
    List<Thread> resetThreads = new CopyOnWriteArrayList<>();
    RaftClientRpc rpc =
        rpc(
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "sendRequestAsyncUnordered" -> {
                  RaftClientRequest r = (RaftClientRequest) args[0];
                  sentTo.add(r.getServerId());
                  return sentTo.size() == 1
                      ? CompletableFuture.failedFuture(
                          new LeaderNotReadyException(
                              RaftGroupMemberId.valueOf(N2, r.getRaftGroupId())))
                      : CompletableFuture.completedFuture(applied(r));
                }
                case "handleException" -> {
                  resetThreads.add(Thread.currentThread());
                  return true;
                }
                default -> throw new UnsupportedOperationException(method.getName());
              }
            });
    WriteSender sender = sender(live, rpc);

    WriteResult r =
        sender.send(new Command.DeleteService(new ServiceKey("ns", "a"))).get(5, TimeUnit.SECONDS);
    assertInstanceOf(WriteResult.Applied.class, r);
    assertEquals(List.of(N2, N2), sentTo);
    assertEquals(List.of(), resetThreads, "the channel to a leader that answered was reset");
  }

  /**
   * The leader moves away and back while the first attempt to it is still in flight: Ratis' client
   * would refuse a second call with the same call id on that channel, logging an ERROR ("Entry
   * already exists ... ReplyMap"; CI chaos run short-8501915). The write waits for the attempt in
   * flight instead of sending again, and that attempt's answer is the outcome; only the channel
   * that failed in transport is reset.
   */
  @Test
  void aLeaderThatMovesAwayAndBackIsNotSentTheSameCallAgainWhileTheFirstIsInFlight()
      throws Exception {
    AtomicReference<RaftPeerId> live = new AtomicReference<>(N2);
    CompletableFuture<RaftClientReply> firstToN2 = new CompletableFuture<>();
    AtomicReference<RaftClientRequest> first = new AtomicReference<>();
    List<RaftPeerId> sentTo = new CopyOnWriteArrayList<>();
    List<RaftPeerId> resets = new CopyOnWriteArrayList<>();
    RaftClientRpc rpc =
        rpc(
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "sendRequestAsyncUnordered" -> {
                  RaftClientRequest r = (RaftClientRequest) args[0];
                  sentTo.add(r.getServerId());
                  if (r.getServerId().equals(N3)) {
                    live.set(N2); // n3 is gone again: back to n2
                    return CompletableFuture.failedFuture(new IOException("UNAVAILABLE"));
                  }
                  return first.compareAndSet(null, r)
                      ? firstToN2
                      : CompletableFuture.failedFuture(
                          new IllegalStateException(
                              "Entry already exists for key "
                                  + r.getCallId()
                                  + " in map client->n2:ReplyMap"));
                }
                case "handleException" -> {
                  resets.add((RaftPeerId) args[0]);
                  return true;
                }
                default -> throw new UnsupportedOperationException(method.getName());
              }
            });
    WriteSender sender = sender(live, rpc);

    CompletableFuture<WriteResult> result =
        sender.send(new Command.DeleteService(new ServiceKey("ns", "a")));
    int waiting = firstToN2.getNumberOfDependents();
    live.set(N3); // an election named n3 while the first attempt waits on n2
    // Back at n2, the write attaches to the first attempt (more dependents on it) instead of
    // sending the call again (a third send).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (firstToN2.getNumberOfDependents() <= waiting
        && sentTo.size() < 3
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(List.of(N2, N3), sentTo, "the call went to n2 again while n2 still had it");
    assertTrue(firstToN2.getNumberOfDependents() > waiting, "the write waits on the first attempt");
    firstToN2.complete(applied(first.get()));
    assertInstanceOf(WriteResult.Applied.class, result.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(N2, N3), sentTo);
    assertEquals(List.of(N3), resets, "only the channel that failed in transport was reset");
  }

  /**
   * A follower whose leader was killed still names it until an election: a lease keepalive asked of
   * it then got no answer and waited out its whole timeout (5 s, as long as the shortest lease),
   * and the lease expired under the new leader. The read goes to the next leader as soon as the
   * follower knows it, as a write does, and as a read request.
   */
  @Test
  void aReadAskedOfADeadLeaderMovesToTheNextLeaderOnceElected() throws Exception {
    AtomicReference<RaftPeerId> live = new AtomicReference<>(N2);
    List<RaftClientRequest> sent = new CopyOnWriteArrayList<>();
    RaftClientRpc rpc =
        rpc(
            (proxy, method, args) -> {
              if (!method.getName().equals("sendRequestAsyncUnordered")) {
                throw new UnsupportedOperationException(method.getName());
              }
              RaftClientRequest r = (RaftClientRequest) args[0];
              sent.add(r);
              // The killed leader never answers; the next one does.
              return r.getServerId().equals(N2)
                  ? new CompletableFuture<RaftClientReply>()
                  : CompletableFuture.completedFuture(reply(r, new byte[] {7}));
            });
    WriteSender sender = sender(live, rpc);

    CompletableFuture<byte[]> answer = sender.ask(new byte[] {1}, Duration.ofSeconds(30));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sent.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    live.set(N3);
    long started = System.nanoTime();
    assertArrayEquals(new byte[] {7}, answer.get(5, TimeUnit.SECONDS));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(tookMillis < 3000, "answered " + tookMillis + " ms after the election");
    assertEquals(List.of(N2, N3), sent.stream().map(RaftClientRequest::getServerId).toList());
    assertTrue(sent.get(1).is(RaftClientRequestProto.TypeCase.READ), "sent as a read");
  }

  /** No leader answers a read within its timeout: the read fails, naming the timeout. */
  @Test
  void aReadNobodyAnswersFailsAfterItsTimeout() {
    AtomicReference<RaftPeerId> live = new AtomicReference<>(N2);
    RaftClientRpc rpc = rpc((proxy, method, args) -> new CompletableFuture<RaftClientReply>());
    WriteSender sender = sender(live, rpc);

    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> sender.ask(new byte[] {1}, Duration.ofMillis(300)).get(5, TimeUnit.SECONDS));
    assertEquals("no leader answered within 300 ms", e.getCause().getMessage());
  }

  /** A Ratis client RPC whose every call {@code calls} answers. */
  /**
   * A leader this node still knows after the change that removed it is not in its client's peers:
   * the write waits for the next leader and is never handed to Ratis' client for that peer (which
   * logs an ERROR for each such request: chaos run 2024120625, 27 for one write).
   */
  @Test
  void aRemovedLeaderTheClientDoesNotKnowIsNotSentTheWrite() throws Exception {
    AtomicReference<RaftPeerId> live = new AtomicReference<>(N3);
    List<RaftPeerId> sentTo = new CopyOnWriteArrayList<>();
    RaftClientRpc rpc =
        rpc(
            (proxy, method, args) -> {
              RaftClientRequest r = (RaftClientRequest) args[0];
              sentTo.add(r.getServerId());
              return CompletableFuture.completedFuture(applied(r));
            });
    WriteSender sender = sender(live, rpc, id -> !id.equals(N3));
    CompletableFuture<WriteResult> result =
        sender.send(new Command.DeleteService(new ServiceKey("ns", "a")));
    CompletableFuture.delayedExecutor(600, TimeUnit.MILLISECONDS).execute(() -> live.set(N2));
    assertInstanceOf(WriteResult.Applied.class, result.get(20, TimeUnit.SECONDS));
    assertEquals(List.of(N2), sentTo);
  }

  private static RaftClientRpc rpc(InvocationHandler calls) {
    return (RaftClientRpc)
        Proxy.newProxyInstance(
            WriteSenderTest.class.getClassLoader(), new Class<?>[] {RaftClientRpc.class}, calls);
  }

  private WriteSender sender(AtomicReference<RaftPeerId> live, RaftClientRpc rpc) {
    return sender(live, rpc, id -> true);
  }

  private WriteSender sender(
      AtomicReference<RaftPeerId> live, RaftClientRpc rpc, Predicate<RaftPeerId> clientPeer) {
    RaftClient client =
        (RaftClient)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {RaftClient.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getClientRpc")) {
                    return rpc;
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    RaftClientAsynchronousProtocol local =
        r -> CompletableFuture.failedFuture(new IOException("not the leader"));
    return new WriteSender(
        N1,
        RaftGroupId.randomId(),
        local,
        () -> client,
        clientPeer,
        new LeaderTracker(live::get),
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        callbacks);
  }

  private static RaftClientReply applied(RaftClientRequest r) {
    return reply(r, OutcomeCodec.encode(new Outcome.NotFound(new ServiceKey("ns", "a"))));
  }

  private static RaftClientReply reply(RaftClientRequest r, byte[] outcome) {
    return RaftClientReply.newBuilder()
        .setClientId(r.getClientId())
        .setServerId(r.getServerId())
        .setGroupId(r.getRaftGroupId())
        .setCallId(r.getCallId())
        .setSuccess()
        .setMessage(Message.valueOf(ByteString.copyFrom(outcome)))
        .build();
  }
}
