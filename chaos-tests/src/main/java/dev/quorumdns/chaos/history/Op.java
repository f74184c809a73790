package dev.quorumdns.chaos.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One event of a history, as Jepsen records it: an invocation or a completion of an operation by a
 * process (a client thread, or {@link #NEMESIS}), at a node, on a name. Immutable.
 *
 * <p>Field use by kind: {@code value} is the canonical spec of a PUT or of a found read, the fault
 * kind of a fault event and the scenario of a phase marker; {@code vip} is the address a PUT,
 * delete, read or DNS answer returned; {@code result} the outcome code ({@code created}, {@code
 * updated}, {@code deleted}, {@code found}, {@code not_found}, {@code NOERROR}, {@code NXDOMAIN},
 * or an error code on fail/info); {@code registry} the services a whole-registry read returned;
 * {@code nodes} the targets of a fault.
 *
 * @param index position in the history; real-time order (a completion's index exceeds its
 *     invocation's)
 * @param wallMillis wall-clock time, epoch milliseconds (for people)
 * @param monoNanos monotonic time since the history began (for durations and latencies)
 * @param appliedAt on a write's ok completion: the log time (epoch ms) the cluster stamped the
 *     entry with, as the node answered it ({@code appliedAt}); the clock of VIP hold-downs
 * @param vip6 the IPv6 VIP a PUT, delete or read returned, or the AAAA address a DNS answer gave
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Op(
    long index,
    OpType type,
    int process,
    OpKind f,
    String node,
    String name,
    String value,
    String vip,
    String result,
    Long revision,
    SortedMap<String, RegistryEntry> registry,
    List<String> nodes,
    String error,
    long wallMillis,
    long monoNanos,
    Long appliedAt,
    String vip6) {

  /** The process number of the nemesis and of phase markers. */
  public static final int NEMESIS = -1;

  /** An operation that carries no log time and no IPv6 VIP (watch, lease and marker records). */
  public Op(
      long index,
      OpType type,
      int process,
      OpKind f,
      String node,
      String name,
      String value,
      String vip,
      String result,
      Long revision,
      SortedMap<String, RegistryEntry> registry,
      List<String> nodes,
      String error,
      long wallMillis,
      long monoNanos) {
    this(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry,
        nodes,
        error,
        wallMillis,
        monoNanos,
        null,
        null);
  }

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    registry = registry == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(registry));
    nodes = nodes == null ? null : List.copyOf(nodes);
  }

  /** An invocation template; the recorder stamps index and times. */
  public static Op invoke(int process, OpKind f, String node, String name, String value) {
    return new Op(
        0,
        OpType.INVOKE,
        process,
        f,
        node,
        name,
        value,
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        null,
        null);
  }

  /** The completion of this invocation, with the same process, kind, node and name. */
  public Op complete(OpType outcome, String value, String vip, String result) {
    if (!outcome.isCompletion()) {
      throw new IllegalArgumentException("outcome: " + outcome + " (expected: ok, fail or info)");
    }
    return new Op(
        0, outcome, process, f, node, name, value, vip, result, null, null, nodes, null, 0, 0, null,
        null);
  }

  public Op withRevision(Long newRevision) {
    return new Op(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        newRevision,
        registry,
        nodes,
        error,
        wallMillis,
        monoNanos,
        appliedAt,
        vip6);
  }

  public Op withRegistry(Map<String, RegistryEntry> newRegistry) {
    return new Op(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        newRegistry == null ? null : new TreeMap<>(newRegistry),
        nodes,
        error,
        wallMillis,
        monoNanos,
        appliedAt,
        vip6);
  }

  public Op withNodes(List<String> newNodes) {
    return new Op(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry,
        newNodes,
        error,
        wallMillis,
        monoNanos,
        appliedAt,
        vip6);
  }

  public Op withAppliedAt(Long newAppliedAt) {
    return new Op(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry,
        nodes,
        error,
        wallMillis,
        monoNanos,
        newAppliedAt,
        vip6);
  }

  public Op withVip6(String newVip6) {
    return new Op(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry,
        nodes,
        error,
        wallMillis,
        monoNanos,
        appliedAt,
        newVip6);
  }

  public Op withError(String newError) {
    return new Op(
        index,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry,
        nodes,
        newError,
        wallMillis,
        monoNanos,
        appliedAt,
        vip6);
  }

  public Op stamped(long newIndex, long newWallMillis, long newMonoNanos) {
    return new Op(
        newIndex,
        type,
        process,
        f,
        node,
        name,
        value,
        vip,
        result,
        revision,
        registry,
        nodes,
        error,
        newWallMillis,
        newMonoNanos,
        appliedAt,
        vip6);
  }

  public boolean isInvoke() {
    return type == OpType.INVOKE;
  }

  public boolean isOk() {
    return type == OpType.OK;
  }

  /** One line for anomaly reports: {@code #12 p3 ok register web/a @n2 vip=240.0.0.7 created}. */
  public String brief() {
    StringBuilder sb =
        new StringBuilder()
            .append('#')
            .append(index)
            .append(' ')
            .append(process == NEMESIS ? "nemesis" : "p" + process)
            .append(' ')
            .append(type.wire())
            .append(' ')
            .append(f.wire());
    if (name != null) sb.append(' ').append(name);
    if (node != null) sb.append(" @").append(node);
    if (value != null) sb.append(" value=").append(value);
    if (vip != null) sb.append(" vip=").append(vip);
    if (result != null) sb.append(' ').append(result);
    if (vip6 != null) sb.append(" vip6=").append(vip6);
    if (revision != null) sb.append(" rev=").append(revision);
    if (appliedAt != null) sb.append(" at=").append(appliedAt);
    if (nodes != null) sb.append(" nodes=").append(nodes);
    return sb.toString();
  }
}
