package dev.quorumdns.chaos.checker.linear;

/**
 * The register one service name is, as the model sees it: absent, or present with a spec and a VIP.
 * A null VIP means "present, VIP not yet observed" (created by an operation whose outcome was
 * unknown).
 */
public record NameState(boolean present, String spec, String vip) {
  public static final NameState ABSENT = new NameState(false, null, null);

  public NameState {
    if (!present && (spec != null || vip != null)) {
      throw new IllegalArgumentException("an absent name has no spec or VIP");
    }
  }

  public static NameState present(String spec, String vip) {
    return new NameState(true, spec, vip);
  }

  @Override
  public String toString() {
    return present ? "present(" + spec + ", vip=" + (vip == null ? "?" : vip) + ")" : "absent";
  }
}
