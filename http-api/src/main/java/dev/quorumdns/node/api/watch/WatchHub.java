package dev.quorumdns.node.api.watch;

import dev.quorumdns.node.api.ApiException;
import dev.quorumdns.node.config.WatchLimits;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.Cursor;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.history.ServiceChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's watch streams and blocking reads, fed by this replica's change log: no leader needed.
 *
 * <p>When the replica's revision moves (a signal from the apply thread: a volatile write and at
 * most one queued task, however many entries apply meanwhile), the hub's thread reads the change
 * records after what it has delivered from a {@link RegistrySnapshot}, encodes each once, hands
 * them to every event loop that has watchers ({@link LoopWatchers}) and wakes the blocking reads
 * they concern ({@link Waiters}). Watchers that are behind (new ones starting from an old revision,
 * ones that missed a delivery) read pages of the change log on the same thread, one page at a time
 * and only while their connection takes more, so a slow client costs at most its buffer ({@code
 * watch-buffer}) before it is dropped. No event loop ever reads the store.
 *
 * <p>Thread-safe. {@link #start} once, {@link #close} once.
 */
public final class WatchHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);

  /**
   * Records per delivery or catch-up page (a page ends at a revision boundary, so it may hold
   * more).
   */
  static final int PAGE_RECORDS = 1024;

  /** Bytes per catch-up page, roughly. */
  static final int PAGE_BYTES = 256 * 1024;

  /**
   * At most this many records are scanned to find whether a blocking read's answer changed already.
   */
  static final int SCAN_LIMIT = 100_000;

  private static final long RETRY_MILLIS = 50;

  private final NodeRuntime node;
  private final WatchLimits limits;
  private final RandomGenerator random;
  private final ScheduledExecutorService thread;
  private final ConcurrentHashMap<EventLoop, LoopWatchers> loops = new ConcurrentHashMap<>();
  private final AtomicInteger watchers = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
  private final AtomicBoolean dispatchQueued = new AtomicBoolean();
  private final AtomicBoolean retryQueued = new AtomicBoolean();
  private final Waiters waiters = new Waiters();
  private final Counter droppedSlow;
  private final Counter droppedGone;

  /**
   * Every change up to this revision has been delivered to the loops; -1 until the replica could be
   * read.
   */
  private volatile long dispatched = -1;

  /** The revision the replica last announced (readers see it); -1 before. */
  private volatile long announced = -1;

  private volatile long oldest;
  private volatile boolean closed;

  /**
   * @param random the jitter of blocking reads' waits
   */
  public WatchHub(
      NodeRuntime node, WatchLimits limits, MeterRegistry meters, RandomGenerator random) {
    this.node = node;
    this.limits = limits;
    this.random = random;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quorumdns-watch");
              t.setDaemon(true);
              return t;
            });
    Gauge.builder("quorumdns.watch.streams", watchers, AtomicInteger::get)
        .description("Open watch streams (GET /v1/watch)")
        .register(meters);
    Gauge.builder("quorumdns.watch.blocking.reads", waiters, Waiters::size)
        .description("Blocking reads waiting for a change")
        .register(meters);
    droppedSlow =
        Counter.builder("quorumdns.watch.dropped")
            .tag("reason", "too_slow")
            .description("Watch streams the node ended")
            .register(meters);
    droppedGone =
        Counter.builder("quorumdns.watch.dropped")
            .tag("reason", "gone")
            .description("Watch streams the node ended")
            .register(meters);
  }

  /** Listens to the replica's revision and starts the progress lines. */
  public void start() {
    node.onRevision(
        revision -> {
          announced = revision;
          queueDispatch();
        });
    queueDispatch();
    long every = Math.max(50, limits.progressInterval().toMillis() / 2);
    thread.scheduleWithFixedDelay(this::progressTick, every, every, TimeUnit.MILLISECONDS);
  }

  private void queueDispatch() {
    if (!closed && dispatchQueued.compareAndSet(false, true)) {
      execute(this::dispatch);
    }
  }

  private void execute(Runnable r) {
    try {
      thread.execute(r);
    } catch (RuntimeException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  private void retryLater(Runnable r) {
    try {
      thread.schedule(r, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  /**
   * Every change up to this revision has been handed to the watchers' loops; -1 before the replica
   * was read.
   */
  long dispatched() {
    return dispatched;
  }

  /**
   * The replica's revision as the hub last read it (the position of a watch without {@code from});
   * -1 before.
   */
  public long revision() {
    return dispatched;
  }

  /** Changes after this revision are all kept: a watch from an older one cannot be served (410). */
  public long oldestRevision() {
    return oldest;
  }

  // ---- delivery (hub thread)

  private void dispatch() {
    dispatchQueued.set(false);
    if (dispatched >= 0 && watchers.get() == 0 && waiters.size() == 0) {
      skipTo(announced);
      return;
    }
    try (RegistrySnapshot snap = node.readSnapshot()) {
      long revision = snap.revision();
      oldest = snap.changeLog().oldestRevision();
      long from = dispatched;
      if (from < 0) {
        dispatched = revision;
        return;
      }
      if (revision <= from) {
        return;
      }
      long after = Math.max(from, oldest);
      if (after > from) {
        waiters.wakeAllBefore(after);
      }
      List<ChangeLines.Line> lines = new ArrayList<>();
      long through = revision;
      long last = after;
      try (Cursor<ServiceChange> c = snap.changesAfter(after)) {
        while (c.hasNext()) {
          ServiceChange change = c.next();
          if (lines.size() >= PAGE_RECORDS && change.revision() != last) {
            through = last;
            queueDispatch();
            break;
          }
          lines.add(ChangeLines.change(change, node.domain()));
          waiters.changed(change);
          last = change.revision();
        }
      }
      dispatched = through;
      Delivery d = new Delivery(after, through, lines);
      loops.values().forEach(l -> l.post(d));
    } catch (IOException e) {
      // Held (restarted and catching up, or not yet filled): the revision may stop moving before
      // the replica can be read, and nothing else would bring the hub here again (WatchIT: a
      // restarted node filled after the last write, and its streams and blocking reads were
      // refused as "not ready" for good). So it looks again.
      LOG.debug("watch: the replica cannot be read yet: {}", e.toString());
      retryDispatchLater();
    } catch (UncheckedIOException e) {
      // The store was replaced (a snapshot installed) while it was read: read the new one.
      LOG.debug("watch: reading the change log failed, retrying: {}", e.toString());
      retryDispatchLater();
    } catch (RuntimeException e) {
      LOG.error("watch: delivery failed, retrying", e);
      retryDispatchLater();
    }
  }

  /** One dispatch in {@link #RETRY_MILLIS}, however many failed dispatches ask for it. */
  private void retryDispatchLater() {
    if (retryQueued.compareAndSet(false, true)) {
      retryLater(
          () -> {
            retryQueued.set(false);
            queueDispatch();
          });
    }
  }

  /**
   * With no watch stream admitted and no blocking read waiting, the hub only moves its position: no
   * snapshot, no encoding. Before this, every applied entry cost every node a snapshot of the
   * store, a read of the change log and a JSON line per change for nobody (about 8% of each node's
   * CPU at 100 writing clients, bench/RESULTS.md). What it skips no one can miss: a stream starting
   * below the new position catches up from the change log ({@link Watcher#started}), and blocking
   * reads register on this thread, so none is waiting now.
   *
   * <p>A stream admitted between the check of the count and the write of the position may have
   * compared its start with the old position and seen nothing to catch up on. Then the count
   * (incremented at admission, before the stream is attached) is read again after the write: if any
   * stream is admitted, every loop's watchers compare again. A stream whose comparison comes after
   * the write sees the new position itself.
   */
  private void skipTo(long revision) {
    if (revision <= dispatched) {
      return;
    }
    dispatched = revision;
    if (watchers.get() > 0) {
      loops.values().forEach(l -> l.forEach(Watcher::started));
    }
  }

  /**
   * Reads the next page of the change log for {@code w} from {@code position}, on the hub's thread.
   */
  void catchUp(Watcher w, long position) {
    execute(() -> readPage(w, position));
  }

  private void readPage(Watcher w, long position) {
    if (!w.channel.isActive()) {
      return;
    }
    try (RegistrySnapshot snap = node.readSnapshot()) {
      long kept = snap.changeLog().oldestRevision();
      if (position < kept) {
        droppedGone.increment();
        w.channel.eventLoop().execute(() -> w.gone(kept));
        return;
      }
      List<ChangeLines.Line> lines = new ArrayList<>();
      long through = snap.revision();
      long last = position;
      int records = 0;
      int bytes = 0;
      try (Cursor<ServiceChange> c = snap.changesAfter(position)) {
        while (c.hasNext()) {
          ServiceChange change = c.next();
          if ((records >= PAGE_RECORDS || bytes >= PAGE_BYTES) && change.revision() != last) {
            through = last;
            break;
          }
          records++;
          last = change.revision();
          if (w.namespace == null || w.namespace.equals(change.key().namespace())) {
            ChangeLines.Line line = ChangeLines.change(change, node.domain());
            lines.add(line);
            bytes += line.bytes().length;
          }
        }
      }
      Delivery d = new Delivery(position, Math.max(position, through), lines);
      w.channel.eventLoop().execute(() -> w.caughtUp(d));
    } catch (IOException | RuntimeException e) {
      LOG.debug("watch: catching up from {} failed, retrying: {}", position, e.toString());
      retryLater(() -> readPage(w, position));
    }
  }

  private void progressTick() {
    long now = System.nanoTime();
    long interval = limits.progressInterval().toNanos();
    loops.values().forEach(l -> l.forEach(w -> w.progress(now, interval)));
  }

  // ---- watch streams

  /** A watch stream's place under the limits, held from admission until its connection closes. */
  public final class Ticket {
    private final InetAddress client;
    private final AtomicBoolean released = new AtomicBoolean();

    private Ticket(InetAddress client) {
      this.client = client;
    }

    /** Gives the place back; idempotent. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        watchers.decrementAndGet();
        if (client != null) {
          perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        }
      }
    }
  }

  /**
   * Reserves a watch stream for {@code client} (null when unknown).
   *
   * @throws ApiException 503 when this node or this client has as many streams as allowed, or the
   *     replica holds no state yet
   */
  public Ticket admit(InetAddress client) {
    if (dispatched < 0 || closed) {
      throw new ApiException(
          503, "not_ready", null, "this node holds no registry state yet; retry shortly", 1);
    }
    if (watchers.incrementAndGet() > limits.maxWatchers()) {
      watchers.decrementAndGet();
      throw new ApiException(
          503,
          "too_many_watchers",
          null,
          "this node already serves "
              + limits.maxWatchers()
              + " watch streams (watch-max); retry on another node or later",
          1);
    }
    if (client != null
        && perClient.merge(client, 1, Integer::sum) > limits.maxWatchersPerClient()) {
      perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
      watchers.decrementAndGet();
      throw new ApiException(
          503,
          "too_many_watchers",
          null,
          "this client address already holds "
              + limits.maxWatchersPerClient()
              + " watch streams on this node (watch-max-per-client)",
          1);
    }
    return new Ticket(client);
  }

  /**
   * Streams every change after {@code from} (of {@code namespace}, or all when null) to {@code
   * channel}, whose response head is written. Call on the channel's event loop.
   */
  public void attach(Channel channel, long from, String namespace, Ticket ticket) {
    Watcher w = new Watcher(this, channel, namespace, from, ticket, limits.bufferBytes());
    channel
        .pipeline()
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
                w.writabilityChanged();
                super.channelWritabilityChanged(ctx);
              }
            });
    channel
        .closeFuture()
        .addListener(
            f -> {
              w.connectionClosed();
              w.release();
            });
    if (closed || !channel.isActive()) {
      w.connectionClosed();
      w.release();
      channel.close();
      return;
    }
    loops.computeIfAbsent(channel.eventLoop(), LoopWatchers::new).add(w);
    w.started();
  }

  /** Takes a watcher out of its loop's deliveries (it closed or was dropped). On its event loop. */
  void forget(Watcher w) {
    LoopWatchers l = loops.get(w.channel.eventLoop());
    if (l != null) {
      l.remove(w);
    }
  }

  void droppedTooSlow() {
    droppedSlow.increment();
  }

  // ---- blocking reads

  /**
   * Completes once this replica has applied a change in {@code scope} after revision {@code after},
   * or when {@code wait} (plus up to a sixteenth of it, at random, so clients spread out) has
   * passed. Completes at once if such a change is applied already, or cannot be ruled out (older
   * than the change log).
   */
  public CompletableFuture<Void> awaitChange(Scope scope, long after, Duration wait) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long millis = wait.toMillis() + random.nextLong(wait.toMillis() / 16 + 1);
    Runnable register =
        () -> {
          if (changedSince(scope, after)) {
            done.complete(null);
            return;
          }
          Waiters.Waiter w = new Waiters.Waiter(scope, after, done);
          waiters.add(w);
          ScheduledFuture<?> timeout =
              thread.schedule(
                  () -> {
                    waiters.remove(w);
                    done.complete(null);
                  },
                  millis,
                  TimeUnit.MILLISECONDS);
          done.whenComplete((x, e) -> timeout.cancel(false));
        };
    try {
      thread.execute(register);
    } catch (RuntimeException e) {
      done.complete(null);
    }
    return done;
  }

  /** Whether a change in {@code scope} after {@code after} was delivered already. Hub thread. */
  private boolean changedSince(Scope scope, long after) {
    long upTo = dispatched;
    if (upTo < 0 || after >= upTo) {
      return upTo < 0;
    }
    if (scope.key() != null) {
      Service s = node.view().get(scope.key());
      if (s != null && s.revision() > after) {
        return true;
      }
    }
    try (RegistrySnapshot snap = node.readSnapshot()) {
      if (after < snap.changeLog().oldestRevision()) {
        return true;
      }
      int scanned = 0;
      try (Cursor<ServiceChange> c = snap.changesAfter(after)) {
        while (c.hasNext()) {
          ServiceChange change = c.next();
          if (change.revision() > upTo) {
            return false;
          }
          if (scope.covers(change.key()) || ++scanned > SCAN_LIMIT) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /** Ends every stream with a last line and stops the hub's thread. */
  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    for (LoopWatchers l : loops.values()) {
      l.forEach(
          w ->
              w.drop(
                  "node_stopping",
                  "this node is stopping; resume on another node with from=" + w.position(),
                  null));
    }
  }
}
