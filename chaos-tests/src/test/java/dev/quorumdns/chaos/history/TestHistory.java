package dev.quorumdns.chaos.history;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hand-written histories for checker tests: each event advances the monotonic clock by 1 ms (more
 * with {@link #advance}). Not thread-safe.
 */
public final class TestHistory {
  private final AtomicLong nanos = new AtomicLong();
  private final HistoryRecorder recorder =
      new HistoryRecorder(
          Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
          () -> nanos.getAndAdd(1_000_000));

  public TestHistory advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    return this;
  }

  public Op invoke(int process, OpKind f, String node, String name, String value) {
    return recorder.invoke(Op.invoke(process, f, node, name, value));
  }

  public Op ok(Op invoke, String value, String vip, String result) {
    return recorder.complete(invoke, invoke.complete(OpType.OK, value, vip, result));
  }

  /** Records an invocation built by the caller (e.g. with nodes). */
  public Op invoke(Op template) {
    return recorder.invoke(template);
  }

  /** Records a completion built by the caller (e.g. with a revision or log time). */
  public Op complete(Op invoke, Op completion) {
    return recorder.complete(invoke, completion);
  }

  public Op fail(Op invoke, String result) {
    return recorder.complete(invoke, invoke.complete(OpType.FAIL, null, null, result));
  }

  public Op info(Op invoke, String result) {
    return recorder.complete(invoke, invoke.complete(OpType.INFO, null, null, result));
  }

  /** A PUT invoked and acknowledged at once; result {@code created} or {@code updated}. */
  public Op put(int process, String node, String name, String spec, String vip, String result) {
    return ok(invoke(process, OpKind.REGISTER, node, name, spec), spec, vip, result);
  }

  public Op delete(int process, String node, String name, String vip) {
    return ok(
        invoke(process, OpKind.DELETE, node, name, null),
        null,
        vip,
        vip == null ? "not_found" : "deleted");
  }

  public Op read(int process, String node, String name, String spec, String vip) {
    return ok(
        invoke(process, OpKind.READ_API, node, name, null),
        spec,
        vip,
        spec == null ? "not_found" : "found");
  }

  /** A DNS answer: the VIP (NOERROR), or NXDOMAIN when {@code vip} is null. */
  public Op dns(int process, String node, String name, String vip) {
    return ok(
        invoke(process, OpKind.RESOLVE_DNS, node, name, null),
        null,
        vip,
        vip == null ? "NXDOMAIN" : "NOERROR");
  }

  public Op dnsFailed(int process, String node, String name, String why) {
    return fail(invoke(process, OpKind.RESOLVE_DNS, node, name, null), why);
  }

  public Op readAll(int process, String node, long revision, Map<String, RegistryEntry> registry) {
    Op inv = invoke(process, OpKind.READ_ALL, node, null, null);
    return recorder.complete(
        inv,
        inv.complete(OpType.OK, null, null, "found").withRevision(revision).withRegistry(registry));
  }

  public Op status(int process, String node, long revision) {
    Op inv = invoke(process, OpKind.CLUSTER_STATUS, node, null, null);
    return recorder.complete(inv, inv.complete(OpType.OK, null, null, "ok").withRevision(revision));
  }

  public String fault(FaultKind kind, String... nodes) {
    return recorder.faultStarted(kind, List.of(nodes));
  }

  public void heal(String id, FaultKind kind, String... nodes) {
    recorder.faultStopped(id, kind, List.of(nodes));
  }

  public void phase(String phase, String value) {
    recorder.phase(phase, value);
  }

  /** A non-client event (watch line, lease marker), stamped now. */
  public Op record(Op event) {
    return recorder.record(event);
  }

  public History history() {
    return recorder.snapshot();
  }
}
