package dev.quorumdns.chaos.checker.linear;

import dev.quorumdns.chaos.history.Operation;
import java.util.Objects;

/**
 * The per-name register of the registry API: PUT creates (201, a new VIP) or updates (200, same
 * VIP), DELETE removes (200, returning the VIP) or finds nothing (404), a linearizable GET returns
 * the current spec and VIP or 404. Operations with unknown outcome (info) are applied without a
 * result check. Stateless.
 */
public final class RegisterModel implements Model<NameState> {
  @Override
  public NameState initial() {
    return NameState.ABSENT;
  }

  @Override
  public NameState step(NameState state, Operation op) {
    boolean known = op.isOk();
    String result = op.result();
    return switch (op.f()) {
      case REGISTER, UPDATE ->
          put(state, op.invoke().value(), known ? op.vip() : null, known ? result : null);
      case DELETE -> delete(state, known ? op.vip() : null, known ? result : null);
      case READ_API -> read(state, op.value(), op.vip(), result);
      default -> throw new IllegalArgumentException("not a register operation: " + op.brief());
    };
  }

  private static NameState put(NameState state, String spec, String vip, String result) {
    if ("created".equals(result) && state.present()
        || "updated".equals(result) && !state.present()) {
      return null;
    }
    if (!state.present()) {
      return NameState.present(spec, vip);
    }
    return conflicts(state.vip(), vip) ? null : NameState.present(spec, merge(state.vip(), vip));
  }

  private static NameState delete(NameState state, String vip, String result) {
    if ("deleted".equals(result)) {
      return state.present() && !conflicts(state.vip(), vip) ? NameState.ABSENT : null;
    }
    if ("not_found".equals(result)) {
      return state.present() ? null : NameState.ABSENT;
    }
    return NameState.ABSENT;
  }

  private static NameState read(NameState state, String spec, String vip, String result) {
    if ("not_found".equals(result)) {
      return state.present() ? null : state;
    }
    if (!state.present() || !Objects.equals(state.spec(), spec) || conflicts(state.vip(), vip)) {
      return null;
    }
    return NameState.present(spec, merge(state.vip(), vip));
  }

  /**
   * Two VIPs conflict when both are known and differ; an unknown VIP is bound by the first
   * observation.
   */
  private static boolean conflicts(String known, String observed) {
    return known != null && observed != null && !known.equals(observed);
  }

  private static String merge(String known, String observed) {
    return known != null ? known : observed;
  }
}
