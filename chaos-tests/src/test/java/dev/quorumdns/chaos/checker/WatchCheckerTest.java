package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WatchCheckerTest {
  private static final RegistryEntry A = new RegistryEntry("240.0.0.1", "10.1.0.1:8080");
  private static final RegistryEntry B = new RegistryEntry("240.0.0.2", "10.1.0.2:8080");

  private final TestHistory h = new TestHistory();

  private Op op(
      int p,
      OpKind f,
      String node,
      String name,
      String value,
      String vip,
      String result,
      long revision,
      Map<String, RegistryEntry> registry) {
    return new Op(
        0,
        OpType.OK,
        p,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry == null ? null : new TreeMap<>(registry),
        null,
        null,
        0,
        0);
  }

  private void relist(int p, String node, long rev, Map<String, RegistryEntry> reg) {
    h.record(op(p, OpKind.WATCH_RELIST, node, null, null, null, "found", rev, reg));
  }

  private void connect(int p, String node, long from) {
    h.record(op(p, OpKind.WATCH_CONNECT, node, null, null, null, "connected", from, null));
  }

  private void put(int p, String node, long rev, String name, RegistryEntry e) {
    h.record(op(p, OpKind.WATCH_EVENT, node, name, e.spec(), e.vip(), "put", rev, null));
  }

  private void progress(int p, String node, long rev) {
    h.record(op(p, OpKind.WATCH_PROGRESS, node, null, null, null, "progress", rev, null));
  }

  private void end(int p, String node, long rev) {
    h.record(op(p, OpKind.WATCH_END, node, null, null, null, "final", rev, null));
  }

  private CheckResult check() {
    return new WatchChecker().check(h.history());
  }

  /** Watcher on n1 sees 11 and 12 across a reconnect; the other watcher on n2 as given. */
  private void n1Sees() {
    relist(1, "n1", 10, Map.of());
    connect(1, "n1", 10);
    put(1, "n1", 11, "chaos/a", A);
    h.record(op(1, OpKind.WATCH_END, "n1", null, null, null, "io", 10, null));
    connect(1, "n1", 10);
    put(1, "n1", 11, "chaos/a", A); // sent again after the resume: a duplicate, skipped
    put(1, "n1", 12, "chaos/b", B);
    progress(1, "n1", 13); // 13: a node record, no line
    end(1, "n1", 13);
  }

  private void finalReads() {
    TreeMap<String, RegistryEntry> reg = new TreeMap<>(Map.of("chaos/a", A, "chaos/b", B));
    h.readAll(1_000_000, "n1", 13, reg);
    h.readAll(1_000_000, "n2", 13, reg);
  }

  @Test
  void everyChangeOnceInOrderAcrossAResumeIsValid() {
    n1Sees();
    relist(2, "n2", 11, Map.of("chaos/a", A));
    connect(2, "n2", 11);
    put(2, "n2", 12, "chaos/b", B);
    progress(2, "n2", 13);
    end(2, "n2", 13);
    finalReads();
    CheckResult r = check();
    assertEquals(Validity.VALID, r.validity(), r::toString);
    assertEquals(2L, r.stats().get("final-states-compared"));
  }

  @Test
  void aDroppedEventIsAGapAndAWrongFinalState() {
    n1Sees();
    relist(2, "n2", 10, Map.of());
    connect(2, "n2", 10);
    put(2, "n2", 12, "chaos/b", B); // 11 never came
    progress(2, "n2", 13);
    end(2, "n2", 13);
    finalReads();
    CheckResult r = check();
    assertEquals(Validity.INVALID, r.validity(), r::toString);
    assertEquals(Map.of("watch-gap", 1L, "watch-final-state", 1L), types(r));
  }

  @Test
  void anAcknowledgedWriteNoWatcherSawIsAGap() {
    relist(1, "n1", 10, Map.of());
    connect(1, "n1", 10);
    h.put(5, "n1", "chaos/a", "10.1.0.1:8080", "240.0.0.1", "created");
    progress(1, "n1", 12);
    CheckResult r = new WatchChecker().check(withRevision(h, 11));
    assertEquals(Validity.INVALID, r.validity(), r::toString);
  }

  private static dev.quorumdns.chaos.history.History withRevision(TestHistory t, long rev) {
    var ops = new java.util.ArrayList<Op>();
    for (Op op : t.history().ops()) {
      ops.add(op.f() == OpKind.REGISTER && op.isOk() ? op.withRevision(rev) : op);
    }
    return new dev.quorumdns.chaos.history.History(ops);
  }

  @Test
  void revisionsGoingBackAreOutOfOrder() {
    relist(1, "n1", 10, Map.of());
    connect(1, "n1", 10);
    put(1, "n1", 12, "chaos/b", B);
    put(1, "n1", 11, "chaos/a", A);
    CheckResult r = check();
    assertEquals(Validity.INVALID, r.validity(), r::toString);
    assertEquals(1L, types(r).get("watch-order"));
  }

  @Test
  void resumingPastWhatWasSeenIsAGap() {
    relist(1, "n1", 10, Map.of());
    connect(1, "n1", 10);
    put(1, "n1", 11, "chaos/a", A);
    connect(1, "n1", 12);
    CheckResult r = check();
    assertEquals(1L, types(r).get("watch-resume-gap"), r::toString);
  }

  @Test
  void aRelistRestartsTheSequence() {
    relist(1, "n1", 10, Map.of());
    connect(1, "n1", 10);
    put(1, "n1", 12, "chaos/b", B);
    h.record(op(1, OpKind.WATCH_CONNECT, "n1", null, "11", null, "gone", 12, null));
    relist(1, "n1", 11, Map.of("chaos/a", A));
    connect(1, "n1", 11);
    put(1, "n1", 12, "chaos/b", B);
    progress(1, "n1", 13);
    end(1, "n1", 13);
    h.readAll(1_000_000, "n1", 13, new TreeMap<>(Map.of("chaos/a", A, "chaos/b", B)));
    CheckResult r = check();
    assertEquals(Validity.VALID, r.validity(), r::toString);
  }

  static Map<String, Long> types(CheckResult r) {
    Map<String, Long> out = new TreeMap<>();
    r.anomalies().forEach(a -> out.merge(a.type(), 1L, Long::sum));
    return out;
  }
}
