package dev.quorumdns.chaos.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One node's answer to {@code GET /v1/cluster} as the autopilot scenario records it: the leader it
 * names, its term and every member with role and, from the leader, health and last contact. Stored
 * in the {@code value} of a {@link OpKind#CLUSTER_STATUS} completion of process {@link #PROCESS} as
 * {@code leader=n1;term=4;members=n1:voter:healthy:0,n4:listener:unhealthy:2300} ({@code ?} and
 * {@code -} where the node gave no health). Immutable.
 */
public record ClusterView(String leader, long term, List<Member> members) {
  /** The process number of the autopilot scenario's cluster polls. */
  public static final int PROCESS = 2_000_000;

  /**
   * One member.
   *
   * @param healthy null when the node did not say (only the leader tracks health)
   * @param lastContactMs null when the node did not say
   */
  public record Member(String id, boolean voter, Boolean healthy, Long lastContactMs) {}

  public ClusterView {
    members = List.copyOf(members);
  }

  public List<String> voters() {
    return members.stream().filter(Member::voter).map(Member::id).toList();
  }

  public List<String> listeners() {
    return members.stream().filter(m -> !m.voter()).map(Member::id).toList();
  }

  public List<String> ids() {
    return members.stream().map(Member::id).toList();
  }

  public Optional<Member> member(String id) {
    return members.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** True when members carry health, i.e. the node answered as the leader. */
  public boolean hasHealth() {
    return members.stream().anyMatch(m -> m.healthy() != null);
  }

  /** Healthy as the leader sees it; the leader itself (which may carry no health) counts. */
  public boolean healthy(Member m) {
    return m.id().equals(leader) || Boolean.TRUE.equals(m.healthy());
  }

  public String encode() {
    StringBuilder b = new StringBuilder();
    b.append("leader=").append(leader == null ? "" : leader).append(";term=").append(term);
    b.append(";members=");
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      b.append(i == 0 ? "" : ",")
          .append(m.id())
          .append(':')
          .append(m.voter() ? "voter" : "listener")
          .append(':')
          .append(m.healthy() == null ? "?" : m.healthy() ? "healthy" : "unhealthy")
          .append(':')
          .append(m.lastContactMs() == null ? "-" : m.lastContactMs().toString());
    }
    return b.toString();
  }

  /** Reads {@link #encode}'s form back. */
  public static ClusterView parse(String value) {
    String leader = null;
    long term = 0;
    List<Member> members = new ArrayList<>();
    for (String part : value.split(";")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("cluster view: " + value + " (expected key=value;...)");
      }
      String key = part.substring(0, eq);
      String v = part.substring(eq + 1);
      switch (key) {
        case "leader" -> leader = v.isEmpty() ? null : v;
        case "term" -> term = Long.parseLong(v);
        case "members" -> {
          for (String m : v.isEmpty() ? new String[0] : v.split(",")) {
            String[] f = m.split(":");
            if (f.length != 4) {
              throw new IllegalArgumentException(
                  "cluster view member: " + m + " (expected id:role:health:lastContact)");
            }
            members.add(
                new Member(
                    f[0],
                    f[1].equals("voter"),
                    f[2].equals("?") ? null : f[2].equals("healthy"),
                    f[3].equals("-") ? null : Long.valueOf(f[3])));
          }
        }
        default -> throw new IllegalArgumentException("cluster view: unknown key " + key);
      }
    }
    return new ClusterView(leader, term, members);
  }
}
