package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges the watchers' streams ({@code watch-*} events; one watcher per node, no namespace filter).
 *
 * <p><b>What "no gap" means.</b> A revision is the Raft index of an entry that changed what the
 * registry serves: services, node records or settings. Entries that change nothing served (a lease
 * grant, a same-body PUT, a refused write, a lease expiry or revocation that removed no endpoint)
 * leave it where it was, and node records and settings move it without a change-log record, so no
 * watch line carries them. Revisions seen by a watcher are therefore not consecutive integers, and
 * a batch or a lease expiry puts several lines (one per service) at one revision. No gap is judged
 * against what is known to have changed: the set K of (revision, service) pairs that any watcher
 * saw or that an acknowledged write returned. A stream started with {@code from=F} that has been
 * seen whole up to L (a progress line at L, or a line of a later revision than L) must carry every
 * pair of K with F &lt; revision &lt;= L. Every replica applies the same log, so the change log,
 * and every stream of it, is the same on every node. A relist after 410 restarts the watcher's
 * sequence at the list's revision.
 *
 * <p>Per watcher: within a stream, revisions never go down, no (revision, service) comes twice,
 * none is at or below {@code from} or below a progress line already received; across its streams,
 * the sequence of new changes is strictly increasing in (revision, line) and a resumed stream's
 * {@code from} is not past what the watcher had seen whole (a line sent again after a resume must
 * be the same); every stream covers K as above; and the state the watcher built (its last relist
 * plus every change up to its node's final revision) equals its node's last whole-registry read of
 * the final phase.
 *
 * <p>It cannot see a change that no watcher saw and no acknowledged write reported (a lost change
 * of an unknown-outcome write, a lease expiry that every stream dropped), nor an event that is
 * wrong on every node alike except through the final-state comparison. Stateless.
 */
public final class WatchChecker implements Checker {
  private record Line(long revision, String name, String type, String spec, String vip, Op op) {}

  private static final class Stream {
    final long from;
    final Op connect;
    final List<Line> lines = new ArrayList<>();
    final Set<String> keys = new HashSet<>();
    long whole;
    long lastRevision = -1;

    Stream(long from, Op connect) {
      this.from = from;
      this.connect = connect;
      this.whole = from;
    }
  }

  @Override
  public String name() {
    return "watch";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder result = new CheckResult.Builder(name());
    Map<Integer, List<Op>> byWatcher = new TreeMap<>();
    Map<String, Op> finalReads = new HashMap<>();
    Set<String> known = new HashSet<>();
    int ackedRevisions = 0;
    for (Op op : history.ops()) {
      switch (op.f()) {
        case WATCH_CONNECT, WATCH_EVENT, WATCH_PROGRESS, WATCH_END, WATCH_RELIST ->
            byWatcher.computeIfAbsent(op.process(), k -> new ArrayList<>()).add(op);
        case READ_ALL -> {
          if (op.isOk() && op.registry() != null) {
            finalReads.put(op.node(), op);
          }
        }
        case REGISTER, UPDATE, DELETE -> {
          if (op.isOk() && op.revision() != null && op.revision() > 0 && op.name() != null) {
            known.add(key(op.revision(), op.name()));
            ackedRevisions++;
          }
        }
        default -> {}
      }
      if (op.f() == OpKind.WATCH_EVENT) {
        known.add(key(op.revision(), op.name()));
      }
    }
    TreeMap<Long, Set<String>> knownByRevision = new TreeMap<>();
    for (String k : known) {
      int space = k.indexOf(' ');
      knownByRevision
          .computeIfAbsent(Long.parseLong(k.substring(0, space)), r -> new TreeSet<>())
          .add(k.substring(space + 1));
    }
    long events = 0;
    long streams = 0;
    long relists = 0;
    long pairsJudged = 0;
    long finals = 0;
    for (Map.Entry<Integer, List<Op>> w : byWatcher.entrySet()) {
      List<Op> ops = w.getValue();
      String node = ops.get(0).node();
      long finalRevision = -1;
      long whole = -1;
      long lastAccepted = -1;
      Set<String> namesAtLast = new HashSet<>();
      Map<String, Line> seen = new HashMap<>();
      Stream stream = null;
      List<Stream> all = new ArrayList<>();
      Op finalOp = null;
      for (Op op : ops) {
        switch (op.f()) {
          case WATCH_RELIST -> {
            stream = null;
            if (op.isOk()) {
              relists++;
              whole = op.revision();
              lastAccepted = op.revision();
              namesAtLast.clear();
              seen.clear();
            }
          }
          case WATCH_CONNECT -> {
            stream = null;
            if ("connected".equals(op.result())) {
              streams++;
              if (op.revision() > whole) {
                anomaly(
                    result,
                    "watch-resume-gap",
                    node,
                    op,
                    "resumed from " + op.revision() + " past the revision seen whole, " + whole);
              }
              stream = new Stream(op.revision(), op);
              all.add(stream);
            }
          }
          case WATCH_END -> {
            stream = null;
            if ("final".equals(op.result()) && op.isOk()) {
              finalOp = op;
              finalRevision = op.revision();
            }
          }
          case WATCH_PROGRESS -> {
            if (stream != null && !"gone".equals(op.result())) {
              stream.whole = Math.max(stream.whole, op.revision());
              whole = Math.max(whole, op.revision());
            }
          }
          case WATCH_EVENT -> {
            events++;
            Line line = new Line(op.revision(), op.name(), op.result(), op.value(), op.vip(), op);
            if (stream == null) {
              anomaly(result, "watch-stray-line", node, op, "a change line outside any stream");
              continue;
            }
            boolean outOfOrder =
                line.revision() <= stream.from
                    || line.revision() <= stream.whole && line.revision() != stream.lastRevision
                    || line.revision() < stream.lastRevision;
            if (outOfOrder) {
              anomaly(
                  result,
                  "watch-order",
                  node,
                  op,
                  "revision "
                      + line.revision()
                      + " after from="
                      + stream.from
                      + ", progress or line at "
                      + Math.max(stream.whole, stream.lastRevision));
            }
            if (!stream.keys.add(key(line.revision(), line.name()))) {
              anomaly(
                  result,
                  "watch-duplicate",
                  node,
                  op,
                  line.name() + " twice at revision " + line.revision() + " in one stream");
            }
            if (line.revision() > stream.lastRevision) {
              if (stream.lastRevision >= 0) {
                stream.whole = Math.max(stream.whole, stream.lastRevision);
                whole = Math.max(whole, stream.lastRevision);
              }
              stream.lastRevision = line.revision();
            }
            stream.lines.add(line);
            boolean fresh =
                line.revision() > lastAccepted
                    || line.revision() == lastAccepted && !namesAtLast.contains(line.name());
            String k = key(line.revision(), line.name());
            if (!fresh) {
              Line first = seen.get(k);
              if (first == null && !outOfOrder) {
                anomaly(
                    result,
                    "watch-order",
                    node,
                    op,
                    "revision "
                        + line.revision()
                        + " of "
                        + line.name()
                        + " arrives after the watcher had moved to "
                        + lastAccepted);
              } else if (first != null
                  && (!Objects.equals(first.type(), line.type())
                      || !Objects.equals(first.spec(), line.spec()))) {
                anomaly(
                    result,
                    "watch-resend-differs",
                    node,
                    op,
                    line.name()
                        + " at "
                        + line.revision()
                        + " was "
                        + first.type()
                        + " "
                        + first.spec()
                        + " (#"
                        + first.op().index()
                        + "), sent again as "
                        + line.type()
                        + " "
                        + line.spec());
              }
              continue;
            }
            if (line.revision() > lastAccepted) {
              namesAtLast.clear();
              lastAccepted = line.revision();
            }
            namesAtLast.add(line.name());
            seen.put(k, line);
          }
          default -> {}
        }
      }
      // Coverage: every known change inside what each stream was seen whole over.
      for (Stream s : all) {
        Set<String> got = s.keys;
        for (Map.Entry<Long, Set<String>> e :
            knownByRevision.subMap(s.from, false, s.whole, true).entrySet()) {
          for (String name : e.getValue()) {
            pairsJudged++;
            if (!got.contains(key(e.getKey(), name))) {
              anomaly(
                  result,
                  "watch-gap",
                  node,
                  s.connect,
                  "the stream from "
                      + s.from
                      + " was seen whole up to "
                      + s.whole
                      + " but never carried "
                      + name
                      + " at revision "
                      + e.getKey());
            }
          }
        }
      }
      if (finalOp == null) {
        result.unknown("watcher on " + node + " never reached its node's final revision");
        continue;
      }
      Map<String, RegistryEntry> finalState = rebuild(ops, finalRevision);
      Op read = finalReads.get(node);
      if (read == null || finalState == null) {
        result.unknown("no final state to compare for the watcher on " + node);
        continue;
      }
      finals++;
      if (!Objects.equals(read.revision(), finalRevision)) {
        result.unknown(
            "watcher on "
                + node
                + " ended at "
                + finalRevision
                + ", its final read at "
                + read.revision());
        continue;
      }
      Map<String, RegistryEntry> expected = read.registry();
      Set<String> names = new TreeSet<>(expected.keySet());
      names.addAll(finalState.keySet());
      for (String name : names) {
        RegistryEntry want = expected.get(name);
        RegistryEntry got = finalState.get(name);
        if (want == null
            || got == null
            || !want.spec().equals(got.spec())
            || !"null".equals(got.vip()) && !got.vip().equals(want.vip())) {
          anomaly(
              result,
              "watch-final-state",
              node,
              finalOp,
              name
                  + ": the watcher built "
                  + got
                  + ", the node's final read #"
                  + read.index()
                  + " has "
                  + want);
        }
      }
    }
    return result
        .stat("watchers", byWatcher.size())
        .stat("events", events)
        .stat("streams", streams)
        .stat("relists", relists)
        .stat("known-changes", known.size())
        .stat("acked-write-revisions", ackedRevisions)
        .stat("pairs-judged", pairsJudged)
        .stat("final-states-compared", finals)
        .judged(pairsJudged + finals)
        .build();
  }

  /** The state a watcher built: its last relist at or before, plus every new change up to. */
  private static Map<String, RegistryEntry> rebuild(List<Op> ops, long upTo) {
    Map<String, RegistryEntry> state = null;
    long lastAccepted = -1;
    Set<String> namesAtLast = new HashSet<>();
    for (Op op : ops) {
      if (op.f() == OpKind.WATCH_RELIST && op.isOk()) {
        if (op.revision() > upTo) {
          break;
        }
        state = new LinkedHashMap<>(op.registry() == null ? Map.of() : op.registry());
        lastAccepted = op.revision();
        namesAtLast.clear();
      } else if (op.f() == OpKind.WATCH_EVENT && state != null && op.revision() <= upTo) {
        boolean fresh =
            op.revision() > lastAccepted
                || op.revision() == lastAccepted && !namesAtLast.contains(op.name());
        if (!fresh) {
          continue;
        }
        if (op.revision() > lastAccepted) {
          namesAtLast.clear();
          lastAccepted = op.revision();
        }
        namesAtLast.add(op.name());
        if ("put".equals(op.result())) {
          state.put(op.name(), new RegistryEntry(String.valueOf(op.vip()), op.value()));
        } else {
          state.remove(op.name());
        }
      }
    }
    return state;
  }

  private static String key(long revision, String name) {
    return revision + " " + name;
  }

  private static void anomaly(
      CheckResult.Builder result, String type, String node, Op op, String message) {
    result.anomaly(new Anomaly(type, null, node, message, List.of(op.index())));
  }
}
