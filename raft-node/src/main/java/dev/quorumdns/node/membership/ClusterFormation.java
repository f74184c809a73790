package dev.quorumdns.node.membership;

import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.PeerAddress;
import dev.quorumdns.node.runtime.DaemonThreads;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import dev.quorumdns.node.runtime.FormationInfo.Phase;
import dev.quorumdns.registry.state.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node started with {@code bootstrap-expect} / {@code retry-join} comes to run Raft: once a
 * second it resolves the retry-join addresses, asks each for its formation info and acts on it.
 *
 * <ul>
 *   <li>A new node forms a cluster with the other candidates ({@link FormationPolicy}: propose,
 *       lock on disk, found), or, as soon as it sees a cluster with a leader, starts Raft empty and
 *       asks to be added as a listener (the autopilot promotes it later).
 *   <li>A node that has been a member ({@code founded} or {@code joined} on disk, or Raft data from
 *       before) asks the cluster first: if the leader's committed configuration no longer lists it
 *       (it was removed while it was away), it puts its old Raft log aside, keeps its registry, and
 *       joins again as a new listener; if it is listed, or no leader answers within three rounds
 *       (every member restarting), it starts Raft with its data as it is.
 * </ul>
 *
 * <p>Runs on its own thread; {@link #state} may be read from any thread.
 */
public final class ClusterFormation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFormation.class);
  static final Duration ROUND = Duration.ofSeconds(1);
  static final int PRESTART_ROUNDS = 3;

  /** What the formation needs from the node. */
  public interface Host {
    /**
     * Starts Raft with {@code founders} as the initial voters, or empty (to be added by the
     * cluster).
     */
    void startRaft(List<PeerAddress> founders) throws IOException;

    /** Whether Raft runs and this node is in its configuration. */
    boolean isMember();

    /**
     * Asks the cluster {@code via} knows to add this node as a listener (compare-and-set on its
     * configuration).
     */
    void askToJoin(FormationInfo via) throws IOException;
  }

  /**
   * Where the formation is, for this node's formation info and status. Immutable.
   *
   * @param founders the set this node locked on or founded, else null
   * @param proposal the set it proposes now, else null
   */
  public record State(Phase phase, List<Peer> founders, List<Peer> proposal, String reason) {}

  private enum Mode {
    PRESTART,
    DISCOVER,
    ENSURE,
    DONE
  }

  private final NodeConfig config;
  private final Host host;
  private final Clock clock;
  private final PeerProbe probe;
  private final FormationPolicy.Self self;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("formation"));
  private Mode mode;
  private List<Peer> locked;
  private List<Peer> founders;
  private int prestartRounds;
  private volatile State state;

  /**
   * @param tls the client context for other nodes' HTTPS APIs, or null when the API is plain HTTP
   */
  public ClusterFormation(NodeConfig config, SSLContext tls, Host host, Clock clock) {
    this.config = config;
    this.host = host;
    this.clock = clock;
    this.probe = new PeerProbe(tls, Duration.ofSeconds(2));
    this.self =
        new FormationPolicy.Self(
            config.id(),
            config.discovery().advertiseRaft().toString(),
            config.cluster(),
            config.discovery().bootstrapExpect());
  }

  /**
   * Reads what this node promised or did before, and starts the rounds. Throws when the marker is
   * unreadable.
   */
  public void start() throws IOException {
    FormationMarker marker = FormationMarker.load(config.dataDir());
    if (marker != null && marker.state() == FormationMarker.State.LOCKED) {
      locked = FormationPolicy.sorted(marker.founders());
      mode = Mode.DISCOVER;
      state =
          new State(
              Phase.LOCKED,
              locked,
              locked,
              "locked on founders " + FormationPolicy.ids(locked) + " (before a restart)");
    } else if (marker != null || hasRaftData()) {
      founders =
          marker != null && marker.state() == FormationMarker.State.FOUNDED
              ? FormationPolicy.sorted(marker.founders())
              : null;
      mode = Mode.PRESTART;
      state =
          new State(
              Phase.STARTING, founders, founders, "checking with the cluster before starting Raft");
    } else {
      mode = Mode.DISCOVER;
      state = new State(Phase.DISCOVERING, null, null, "looking for other nodes");
    }
    thread.scheduleWithFixedDelay(
        this::round, ROUND.toMillis(), ROUND.toMillis(), TimeUnit.MILLISECONDS);
  }

  public State state() {
    return state;
  }

  /** The founders this node locked on or started with, or null. */
  public List<Peer> founders() {
    State s = state;
    return s.founders();
  }

  private void round() {
    try {
      switch (mode) {
        case PRESTART -> prestart();
        case DISCOVER -> discover();
        case ENSURE -> ensure();
        default -> {}
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cluster formation ({}): {}", mode, e.toString());
      publish(state.phase(), state.founders(), state.proposal(), "error: " + e.getMessage());
    }
  }

  private void prestart() throws IOException {
    Round r = observe();
    FormationInfo led = FormationPolicy.withLeader(r.byId());
    if (led != null && !led.lists(config.id())) {
      LOG.warn(
          "the cluster (leader {}) no longer lists this node: it was removed while away. Keeping the "
              + "registry, putting the old Raft log aside and joining again as a new member",
          led.leader());
      setAsideRaftLog();
      new FormationMarker(FormationMarker.State.JOINED, null).save(config.dataDir());
      founders = null;
      joinNow(led);
      return;
    }
    if (led == null && ++prestartRounds < PRESTART_ROUNDS) {
      publish(
          Phase.STARTING,
          founders,
          founders,
          "checking with the cluster before starting Raft (no leader seen, "
              + "round "
              + prestartRounds
              + " of "
              + PRESTART_ROUNDS
              + ")");
      return;
    }
    LOG.info(
        led != null
            ? "the cluster (leader {}) lists this node; starting Raft with its data"
            : "no leader answered{}; starting Raft with this node's data",
        led != null ? led.leader() : "");
    host.startRaft(founders == null ? List.of() : addresses(founders));
    mode = founders == null ? Mode.ENSURE : Mode.DONE;
    publish(Phase.MEMBER, founders, founders, "running");
  }

  private void discover() throws IOException {
    Round r = observe();
    FormationPolicy.Step step = FormationPolicy.decide(self, locked, r.infos(), r.complete());
    if (step instanceof FormationPolicy.Step.Wait w) {
      Phase phase = locked != null ? Phase.LOCKED : Phase.DISCOVERING;
      String reason =
          w.reason() + (r.problems().isEmpty() ? "" : " [" + String.join("; ", r.problems()) + "]");
      if (!reason.equals(state.reason())) {
        LOG.info("cluster formation: {}", reason);
      }
      publish(phase, locked, w.proposal(), reason);
    } else if (step instanceof FormationPolicy.Step.Lock l) {
      new FormationMarker(FormationMarker.State.LOCKED, l.founders()).save(config.dataDir());
      locked = l.founders();
      LOG.info("cluster formation: locked on founders {}", l.founders());
      publish(Phase.LOCKED, locked, locked, "locked on founders " + FormationPolicy.ids(locked));
    } else if (step instanceof FormationPolicy.Step.Found f) {
      new FormationMarker(FormationMarker.State.FOUNDED, f.founders()).save(config.dataDir());
      founders = f.founders();
      LOG.info("cluster formation: every founder locked; starting Raft with {}", f.founders());
      host.startRaft(addresses(f.founders()));
      mode = Mode.DONE;
      publish(Phase.MEMBER, founders, founders, "founded with " + FormationPolicy.ids(founders));
    } else if (step instanceof FormationPolicy.Step.Join j) {
      new FormationMarker(FormationMarker.State.JOINED, null).save(config.dataDir());
      locked = null;
      LOG.info("cluster formation: a cluster exists (leader {}); joining it", j.via().leader());
      joinNow(j.via());
    }
  }

  private void joinNow(FormationInfo via) throws IOException {
    host.startRaft(List.of());
    mode = Mode.ENSURE;
    publish(Phase.JOINING, null, null, "asking leader " + via.leader() + " to add this node");
    host.askToJoin(via);
  }

  private void ensure() throws IOException {
    if (host.isMember()) {
      LOG.info("cluster formation: this node is a member");
      mode = Mode.DONE;
      publish(Phase.MEMBER, founders, founders, "member");
      return;
    }
    FormationInfo led = FormationPolicy.withLeader(observe().byId());
    if (led == null) {
      publish(Phase.JOINING, founders, null, "waiting for a leader to ask to be added");
    } else if (led.lists(config.id())) {
      publish(
          Phase.JOINING,
          founders,
          null,
          "added by " + led.leader() + "; waiting for its configuration");
    } else {
      publish(
          Phase.JOINING,
          founders,
          null,
          "asking leader " + led.leader() + " to add this node as a listener");
      host.askToJoin(led);
    }
  }

  private void publish(
      Phase phase, List<Peer> lockedOrFounded, List<Peer> proposal, String reason) {
    state = new State(phase, lockedOrFounded, proposal, reason);
  }

  /**
   * One round of probes: the formation info of every node that answered, and whether every address
   * did.
   */
  private record Round(List<FormationInfo> infos, boolean complete, List<String> problems) {
    Map<String, FormationInfo> byId() {
      Map<String, FormationInfo> out = new HashMap<>();
      infos.forEach(i -> out.putIfAbsent(i.id(), i));
      return out;
    }
  }

  private Round observe() {
    RetryJoinTargets.Resolved targets =
        RetryJoinTargets.resolve(config.discovery().retryJoin(), config.apiPort());
    List<String> problems = new ArrayList<>(targets.problems());
    List<FormationInfo> infos = new ArrayList<>();
    boolean complete = targets.complete();
    for (PeerProbe.Answer a : probe.probeAll(targets.targets())) {
      if (a instanceof PeerProbe.Answer.Info i && !i.info().id().equals(config.id())) {
        infos.add(i.info());
      } else if (a instanceof PeerProbe.Answer.Unknown u) {
        complete = false;
        problems.add(u.why());
      }
    }
    return new Round(infos, complete, problems);
  }

  private boolean hasRaftData() throws IOException {
    Path raft = config.raftDir();
    if (!Files.isDirectory(raft)) {
      return false;
    }
    try (Stream<Path> s = Files.list(raft)) {
      return s.anyMatch(Files::isDirectory);
    }
  }

  /** Moves {@code raft/} to {@code raft.removed-<millis>} (the previous such copy is deleted). */
  private void setAsideRaftLog() throws IOException {
    Path raft = config.raftDir();
    if (!Files.exists(raft)) {
      return;
    }
    try (Stream<Path> old = Files.list(config.dataDir())) {
      for (Path p :
          old.filter(p -> p.getFileName().toString().startsWith("raft.removed-")).toList()) {
        Snapshots.deleteTree(p);
      }
    }
    Path aside = config.dataDir().resolve("raft.removed-" + clock.millis());
    Files.move(raft, aside);
    LOG.info("old Raft log moved to {}", aside);
  }

  private static List<PeerAddress> addresses(List<Peer> peers) {
    return peers.stream().map(p -> PeerAddress.parse("founders", p.id() + "=" + p.raft())).toList();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  @Override
  public String toString() {
    return "ClusterFormation[" + Objects.toString(state) + "]";
  }
}
