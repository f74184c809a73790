package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.OutcomeCodec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.history.ServiceChange;
import dev.quorumdns.registry.store.RocksDbRegistryStore;
import dev.quorumdns.registry.store.StoreChanges;
import dev.quorumdns.registry.store.StoredMeta;
import dev.quorumdns.registry.vip.VipPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the registry: the RocksDB store, the in-memory read model, and the deterministic
 * {@link #apply}. The Raft adapter feeds it committed entries in log order.
 *
 * <p>Threading: {@link #load}, {@link #apply}, {@link #advance}, {@link #checkpoint} and {@link
 * #restore} are called from one thread at a time (the Raft apply thread). {@link #view()} may be
 * read from any thread, including before {@link #load} (it then reports not loaded); so may {@link
 * #snapshot()}.
 */
public final class Registry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

  private final Path stateDir;
  private final LiveView view = new LiveView();
  private final Timer applyTimer;
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter> outcomeCounters = new ConcurrentHashMap<>();
  private volatile RegistryState state;
  private volatile Set<String> voters = Set.of();
  private final Retention retention;
  private volatile RocksDbRegistryStore store;

  /** Apply thread only; replaced with the store. */
  private RecentRequests recent = new RecentRequests();

  /**
   * While a replica that started without state catches up: where its leader's commit index comes
   * from (null: not held back). See {@link #holdUntilFilled}.
   */
  private volatile LongSupplier fillSource;

  /** The leader's commit index this replica must reach; 0 until first known. */
  private volatile long fillTarget;

  /** When a replica that restarted with state stops waiting ({@link System#nanoTime}); 0: never. */
  private volatile long fillUntilNanos;

  /**
   * Whether a leader is sending this replica something (entries, a snapshot): past {@link
   * #fillUntilNanos} the hold lasts while it is, up to {@link #fillHardUntilNanos}.
   */
  private volatile BooleanSupplier fillInContact = () -> false;

  /** When the hold ends even while a leader is in contact ({@link System#nanoTime}). */
  private volatile long fillHardUntilNanos;

  /** A fill gate asked for before {@link #load}, which arms it; null once armed or never asked. */
  private HoldOnLoad holdOnLoad;

  private record HoldOnLoad(
      LongSupplier leaderCommit,
      BooleanSupplier leaderInContact,
      Duration maxHoldWithState,
      Duration maxHoldInContact) {}

  /** Whether the process stood still unnoticed; see {@link #holdWhileStalled}. */
  private volatile BooleanSupplier stalled = () -> false;

  private final AtomicLong leaseChanges = new AtomicLong();
  private final List<LongConsumer> revisionListeners = new CopyOnWriteArrayList<>();

  public Registry(Path stateDir, MeterRegistry meters) {
    this(stateDir, meters, Retention.DEFAULT);
  }

  /**
   * @param retention how much of the change log to keep (the node's change-log-min-changes and
   *     -min-age)
   */
  public Registry(Path stateDir, MeterRegistry meters, Retention retention) {
    this.stateDir = stateDir;
    this.retention = retention;
    this.meters = meters;
    this.applyTimer =
        Timer.builder("quorumdns.registry.apply")
            .description(
                "Time to apply one committed log entry to the registry, including the RocksDB write")
            .register(meters);
    Gauge.builder("quorumdns.registry.services", view, v -> v.isLoaded() ? v.size() : 0)
        .description("Services registered in this replica")
        .register(meters);
    Gauge.builder("quorumdns.registry.revision", view, RegistryView::revision)
        .description("Raft index of the last entry that changed the registry")
        .register(meters);
    Gauge.builder(
            "quorumdns.registry.leases", this, r -> r.state == null ? 0 : r.state.leases().size())
        .description("Leases granted and not yet revoked or expired in this replica")
        .register(meters);
    for (VipPool.Family f : VipPool.Family.values()) {
      String family = f == VipPool.Family.IPV4 ? "ipv4" : "ipv6";
      poolGauge(
          "quorumdns.vip.pool.used", "VIPs held by registered services", family, s -> s.used(f));
      poolGauge(
          "quorumdns.vip.pool.held", "VIPs in hold-down after a delete", family, s -> s.held(f));
      poolGauge(
          "quorumdns.vip.pool.capacity",
          "VIPs the pool can hand out",
          family,
          s -> {
            VipPool p = s.settings() == null ? null : s.settings().pool(f);
            return p == null ? 0 : p.capacity();
          });
    }
  }

  private void poolGauge(
      String name, String help, String family, ToDoubleFunction<RegistryState> f) {
    Gauge.builder(
            name,
            this,
            r -> {
              RegistryState s = r.state;
              return s == null ? 0 : f.applyAsDouble(s);
            })
        .description(help)
        .tag("family", family)
        .register(meters);
  }

  /** Opens the store and loads it into memory. Before this returns, the view says not loaded. */
  public void load() throws IOException {
    Snapshots.recoverInterruptedRestore(stateDir);
    long start = System.nanoTime();
    RocksDbRegistryStore opened = RocksDbRegistryStore.open(stateDir, retention);
    try {
      RegistryState read = RegistryState.load(opened);
      recent = RecentRequests.load(opened);
      synchronized (this) {
        HoldOnLoad hold = holdOnLoad;
        if (hold != null) {
          arm(read.meta().appliedIndex(), hold);
          holdOnLoad = null;
        }
        state = read;
      }
    } catch (IOException | RuntimeException e) {
      opened.close(); // releases the RocksDB lock, so the caller may repair and load again
      throw e;
    }
    store = opened;
    leaseChanges.incrementAndGet();
    StoredMeta m = state.meta();
    LOG.info(
        "registry loaded from {}: {} services, applied index {}, revision {}, in {} ms",
        stateDir,
        state.size(),
        m.appliedIndex(),
        m.revision(),
        (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * Keeps this replica "not loaded" (DNS answers SERVFAIL, never NXDOMAIN) until it has applied
   * everything its leader had committed when this replica first heard of it after starting.
   *
   * <p>A replica that holds no state yet (a new member, or one whose store was wiped) is held until
   * then, however long it takes: without this a member filled from the log, not from a snapshot,
   * would count as loaded after its first entry and deny the names that entries still on the way
   * create. A replica that restarts with state is held the same way while it catches up on what was
   * written while it was down (else it denies names registered meanwhile), but at most {@code
   * maxHoldWithState}: when quorum is lost there is no leader to catch up from, and a replica must
   * then answer from what it holds. The target is taken once: under a steady write load the
   * leader's commit index moves on and a replica a few entries behind it is filled all the same.
   *
   * <p>Called before {@link #load}, the hold is armed by the load before the loaded state becomes
   * visible, so no query is answered from it unheld.
   *
   * @param leaderCommit the highest commit index this replica has heard of from its leader, or 0
   *     when it has heard of none yet; called from any thread
   */
  public void holdUntilFilled(LongSupplier leaderCommit, Duration maxHoldWithState) {
    holdUntilFilled(leaderCommit, () -> false, maxHoldWithState, maxHoldWithState);
  }

  /**
   * {@link #holdUntilFilled(LongSupplier, Duration)}, but a replica that restarted with state is
   * held past {@code maxHoldWithState} while {@code leaderInContact} says a leader is sending it
   * something, up to {@code maxHoldInContact}: a replica that needs a snapshot hears no commit
   * index until it is installed (the leader sends the snapshot, not entries), and answering from
   * its old state meanwhile denies names it is about to receive (chaos run 16566610, kill scenario:
   * the hold ran out 0.8 s before the install landed). With no leader in contact the hold ends as
   * before: the cluster has lost its quorum, and the replica answers from what it holds.
   *
   * @param leaderInContact whether a leader has sent this replica a message lately; called from any
   *     thread, must be cheap
   */
  public synchronized void holdUntilFilled(
      LongSupplier leaderCommit,
      BooleanSupplier leaderInContact,
      Duration maxHoldWithState,
      Duration maxHoldInContact) {
    HoldOnLoad hold =
        new HoldOnLoad(leaderCommit, leaderInContact, maxHoldWithState, maxHoldInContact);
    RegistryState s = state;
    if (s == null) {
      // Armed by load() before the loaded state becomes visible: armed after it, a DNS query in
      // between was answered from the old state, unheld (and its answer ended the checker's
      // "starting" time, so the hold that followed counted as 10 s of SERVFAIL; CI chaos run
      // short-8501915).
      holdOnLoad = hold;
      return;
    }
    arm(s.meta().appliedIndex(), hold);
  }

  private void arm(long appliedIndex, HoldOnLoad hold) {
    long now = System.nanoTime();
    fillUntilNanos = appliedIndex == 0 ? 0 : now + hold.maxHoldWithState().toNanos();
    fillHardUntilNanos = now + hold.maxHoldInContact().toNanos();
    fillInContact = hold.leaderInContact();
    fillTarget = 0;
    fillSource = hold.leaderCommit();
  }

  /**
   * Keeps this replica "not loaded" while {@code stalled} says the process stood still (stopped,
   * frozen, a long pause) and nobody has noticed yet: a replica that was stopped for seconds may
   * have missed writes, and its DNS threads run again the instant it resumes, before whatever
   * notices the stall can hold it with {@link #holdUntilFilled}. Called on every {@code isLoaded},
   * from any thread; must be cheap.
   */
  public void holdWhileStalled(BooleanSupplier stalled) {
    this.stalled = stalled;
  }

  /** The live read model. */
  public RegistryView view() {
    return view;
  }

  /** Term, index, revision and log time of what is stored. */
  public StoredMeta meta() {
    return loaded().meta();
  }

  /**
   * Checks what can be refused before a command reaches the log: requests that cannot be valid
   * against the cluster settings. Returns null when the command may go to the log. Any thread.
   */
  public Outcome precheck(Command c) {
    RegistryState s = state;
    ClusterSettings settings = s == null ? null : s.settings();
    if (settings == null || !(c instanceof Command.UpsertService u)) {
      return null;
    }
    Outcome o = precheckVip(settings.vip4Pool(), u.spec().vip4());
    if (o == null && u.spec().vip6() != null) {
      o =
          settings.vip6Pool() == null
              ? new Outcome.Invalid(
                  "vip6", "IPv6 VIPs are disabled in this cluster (vip6-cidr is empty)")
              : precheckVip(settings.vip6Pool(), u.spec().vip6());
    }
    return o;
  }

  private static Outcome precheckVip(VipPool pool, InetAddress vip) {
    if (vip == null || pool.usable(vip)) {
      return null;
    }
    return new Outcome.Invalid(
        pool.family().field(),
        IpAddresses.format(vip)
            + (pool.contains(vip)
                ? " is the network or broadcast address of "
                : " is outside the VIP pool ")
            + pool.cidr());
  }

  /**
   * Applies one committed entry. Deterministic: the result depends only on the stored state, the
   * entry and its index. Entries at or below the stored applied index are skipped.
   *
   * @throws IOException if the store cannot be written; the replica must stop
   */
  public Outcome apply(long term, long index, LogEntry entry) throws IOException {
    return apply(term, index, entry, null);
  }

  /**
   * Applies one committed entry sent as request {@code id} (null if it has none). An entry whose
   * request was applied in the last {@link RecentRequests#WINDOW_MILLIS} of log time is a retry of
   * the same write: it changes nothing and answers the outcome of the first. Otherwise as {@link
   * #apply(long, long, LogEntry)}.
   *
   * @throws IOException if the store cannot be written; the replica must stop
   */
  public Outcome apply(long term, long index, LogEntry entry, RequestId id) throws IOException {
    RegistryState s = loaded();
    StoredMeta m = s.meta();
    if (index <= m.appliedIndex()) {
      // Counted like every outcome: after a restart this counter shows whether Raft replayed
      // entries the store
      // already held.
      Outcome skipped = new Outcome.AlreadyApplied(index);
      count(skipped);
      return skipped;
    }
    long start = System.nanoTime();
    long now = Math.max(m.logTimeMillis(), entry.timestampMillis());
    byte[] earlier = recent.outcomeOf(id, now);
    if (earlier != null) {
      return repeated(s, term, index, earlier, now);
    }
    Txn txn = new Txn(s, now);
    txn.expireHolds();
    Outcome outcome = entry.command().accept(new Executor(txn, term, index));
    StoreChanges changes = outcome.refused() ? new Txn(s, now).changes() : txn.changes();
    // Hold-downs running out change no record anyone is served: the revision (SOA serial) stays.
    boolean served =
        !changes.services().isEmpty() || !changes.nodes().isEmpty() || changes.settings() != null;
    StoredMeta next = new StoredMeta(term, index, served ? index : m.revision(), now);
    byte[] encoded = id == null ? null : OutcomeCodec.encode(outcome);
    store.write(
        changes,
        next,
        changeRecords(s, changes.services(), index, now),
        !changes.nodes().isEmpty() || changes.settings() != null,
        recent.stage(id, encoded, now));
    recent.commit(id, encoded, now);
    s.publish(changes, next);
    if (!changes.leases().isEmpty()) {
      leaseChanges.incrementAndGet();
    }
    applyTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    count(outcome);
    if (served) {
      revisionMoved(index);
    }
    return outcome;
  }

  /**
   * A retry of a request already applied: nothing changes but the applied index; the first outcome
   * again.
   */
  private Outcome repeated(RegistryState s, long term, long index, byte[] earlier, long now)
      throws IOException {
    Outcome first;
    try {
      first = OutcomeCodec.decode(earlier);
    } catch (CodecException e) {
      throw new IOException(
          "the stored outcome of a request in " + stateDir + " is corrupt: " + e.getMessage(), e);
    }
    StoredMeta m = s.meta();
    StoredMeta next = new StoredMeta(term, index, m.revision(), m.logTimeMillis());
    StoreChanges none = new Txn(s, m.logTimeMillis()).changes();
    store.write(none, next, List.of(), false, recent.stage(null, null, now));
    recent.commit(null, null, now);
    s.publish(none, next);
    count("Repeated");
    return first;
  }

  /**
   * Calls {@code listener} with the registry revision each time it moves: after an applied entry
   * that changed what the registry serves, once readers see it, and after {@link #restore} replaced
   * the state. Called on the apply thread, so it must return at once (store a value, wake a
   * thread). Any thread may add listeners; they stay until the registry is discarded.
   */
  public void onRevision(LongConsumer listener) {
    revisionListeners.add(listener);
  }

  private void revisionMoved(long revision) {
    for (LongConsumer l : revisionListeners) {
      try {
        l.accept(revision);
      } catch (RuntimeException e) {
        LOG.warn("revision listener failed", e);
      }
    }
  }

  /** The change log's records of one entry: each changed service, as it was before and is after. */
  private static List<ServiceChange> changeRecords(
      RegistryState before, Map<ServiceKey, Service> staged, long index, long now) {
    List<ServiceChange> out = new ArrayList<>(staged.size());
    for (Map.Entry<ServiceKey, Service> e : staged.entrySet()) {
      Service previous = before.get(e.getKey());
      Service current = e.getValue();
      if (current == null ? previous == null : current.equals(previous)) {
        continue; // nothing changed for this key
      }
      out.add(
          current != null
              ? ServiceChange.put(index, previous, current, now)
              : ServiceChange.delete(index, previous, now));
    }
    return out;
  }

  private void count(Outcome o) {
    count(o.getClass().getSimpleName());
  }

  private void count(String type) {
    outcomeCounters
        .computeIfAbsent(
            type,
            t ->
                Counter.builder("quorumdns.registry.outcomes")
                    .description("Applied commands by outcome")
                    .tag("outcome", t)
                    .register(meters))
        .increment();
  }

  /** Records that a Raft entry with no registry command (a configuration change) was applied. */
  public void advance(long term, long index) throws IOException {
    RegistryState s = loaded();
    StoredMeta m = s.meta();
    if (index <= m.appliedIndex()) {
      return;
    }
    StoredMeta next = new StoredMeta(term, index, m.revision(), m.logTimeMillis());
    StoreChanges none = new Txn(s, m.logTimeMillis()).changes();
    store.write(none, next);
    s.publish(none, next);
  }

  /**
   * A consistent read of this replica's store as of now, including the change log: for zone
   * transfers and change feeds. Any thread; close it promptly. Reads fail once the store is closed
   * or replaced by {@link #restore}.
   *
   * @throws IOException if the registry is not loaded, or the store cannot be read
   */
  public RegistrySnapshot snapshot() throws IOException {
    RocksDbRegistryStore s = store;
    if (s == null || state == null) {
      throw new IOException("registry in " + stateDir + " is not loaded");
    }
    return s.openSnapshot();
  }

  /** Writes a consistent copy of the stored state into {@code target}, which must not exist. */
  public void checkpoint(Path target) throws IOException {
    loaded();
    store.checkpoint(target);
  }

  /**
   * Replaces the whole state with a checkpoint (a snapshot installed from the leader). Readers keep
   * seeing the old state until the new one is loaded, then switch at once. If it fails, the
   * registry is left not loaded and {@link #load} may be called again.
   */
  public void restore(Path checkpoint) throws IOException {
    RegistryState old = loaded();
    store.close();
    store = null;
    RegistryState fresh;
    try {
      Snapshots.replaceStoreFrom(checkpoint, stateDir);
      store = RocksDbRegistryStore.open(stateDir, retention);
      fresh = RegistryState.load(store);
      recent = RecentRequests.load(store);
    } catch (IOException | RuntimeException e) {
      // The store in memory may no longer be the one on disk: report not loaded (DNS says SERVFAIL)
      // until
      // load() runs again, rather than apply entries onto a store the state did not come from.
      state = null;
      close();
      throw e;
    }
    state = fresh;
    leaseChanges.incrementAndGet();
    LOG.info(
        "registry restored from {}: applied index {} -> {}, {} services",
        checkpoint,
        old.meta().appliedIndex(),
        fresh.meta().appliedIndex(),
        fresh.size());
    revisionMoved(fresh.meta().revision());
  }

  /** The lease with this id in this replica, or null. Any thread. */
  public Lease lease(long id) {
    RegistryState s = state;
    return s == null ? null : s.lease(id);
  }

  /** Every lease this replica holds, by id. Any thread; copies. */
  public List<Lease> leases() {
    RegistryState s = state;
    if (s == null) {
      return List.of();
    }
    List<Lease> all = new ArrayList<>(s.leases());
    all.sort(Comparator.comparingLong(Lease::id));
    return all;
  }

  /**
   * A number that changes whenever an applied entry grants or ends a lease (or the state is
   * replaced), so a reader can tell when to look at {@link #leases()} again. Any thread.
   */
  public long leaseChanges() {
    return leaseChanges.get();
  }

  /** Sets the voting members, as learnt from the Raft configuration. Any thread. */
  public void setVoters(Set<String> ids) {
    voters = Set.copyOf(ids);
  }

  private RegistryState loaded() {
    RegistryState s = state;
    if (s == null) {
      throw new IllegalStateException("registry in " + stateDir + " is not loaded");
    }
    return s;
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  /**
   * Reads whatever state is current; swapping the state (restore) is invisible to holders of the
   * view.
   */
  private final class LiveView implements RegistryView {
    @Override
    public boolean isLoaded() {
      RegistryState s = state;
      // A node that joins with an empty store holds no state until the leader has sent it one.
      if (s == null || s.meta().appliedIndex() <= 0 || stalled.getAsBoolean()) {
        return false;
      }
      LongSupplier source = fillSource;
      return source == null || filled(s.meta().appliedIndex(), source);
    }

    private boolean filled(long applied, LongSupplier source) {
      long until = fillUntilNanos;
      long now = System.nanoTime();
      if (until != 0
          && now - until > 0
          && !(now - fillHardUntilNanos < 0 && fillInContact.getAsBoolean())) {
        if (fillSource != null) {
          fillSource = null;
          LOG.info(
              "answering from what this replica holds (applied index {}): it did not reach its"
                  + " leader's commit index {} in time (no leader, or a slow catch-up)",
              applied,
              fillTarget == 0 ? "(none heard of)" : fillTarget);
        }
        return true;
      }
      long target = fillTarget;
      if (target == 0) {
        target = source.getAsLong();
        if (target <= 0) {
          return false;
        }
        fillTarget = target;
      }
      if (applied < target) {
        return false;
      }
      if (fillSource != null) {
        fillSource = null;
        LOG.info("filled: applied index {} reached the leader's commit index {}", applied, target);
      }
      return true;
    }

    @Override
    public long revision() {
      RegistryState s = state;
      return s == null ? 0 : s.meta().revision();
    }

    @Override
    public long appliedIndex() {
      RegistryState s = state;
      return s == null ? 0 : s.meta().appliedIndex();
    }

    @Override
    public Service get(ServiceKey key) {
      RegistryState s = state;
      return s == null ? null : s.get(key);
    }

    @Override
    public long revisionOf(ServiceKey key) {
      RegistryState s = state;
      return s == null ? 0 : s.revisionOf(key);
    }

    @Override
    public long revisionOf(InetAddress vip) {
      RegistryState s = state;
      return s == null ? 0 : s.revisionOf(vip);
    }

    @Override
    public boolean hasNamespace(String namespace) {
      RegistryState s = state;
      return s != null && s.hasNamespace(namespace);
    }

    @Override
    public Service byVip(InetAddress vip) {
      RegistryState s = state;
      return s == null ? null : s.byVip(vip);
    }

    @Override
    public List<Service> services() {
      RegistryState s = state;
      if (s == null) {
        return List.of();
      }
      List<Service> all = new ArrayList<>(s.services());
      all.sort((a, b) -> a.key().compareTo(b.key()));
      return all;
    }

    @Override
    public List<Service> services(String namespace) {
      RegistryState s = state;
      if (s == null) {
        return List.of();
      }
      List<Service> out = s.services(namespace);
      out.sort((a, b) -> a.key().compareTo(b.key()));
      return out;
    }

    @Override
    public int size() {
      RegistryState s = state;
      return s == null ? 0 : s.size();
    }

    @Override
    public NodeRecord node(String id) {
      RegistryState s = state;
      return s == null ? null : s.node(id);
    }

    @Override
    public Collection<NodeRecord> nodes() {
      RegistryState s = state;
      return s == null ? List.of() : List.copyOf(s.nodes());
    }

    @Override
    public Set<String> voters() {
      return voters;
    }

    @Override
    public Optional<ClusterSettings> settings() {
      RegistryState s = state;
      return Optional.ofNullable(s == null ? null : s.settings());
    }
  }
}
