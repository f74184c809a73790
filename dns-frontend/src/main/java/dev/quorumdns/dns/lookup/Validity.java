package dev.quorumdns.dns.lookup;

import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.ServiceKey;
import java.net.InetAddress;
import java.util.Set;

/**
 * Whether an answer computed earlier is still what the registry would give now. Checked on every
 * cache hit, so each check is a few volatile reads and at most one hash lookup. Implementations are
 * immutable.
 */
@FunctionalInterface
public interface Validity {
  boolean stillValid(RegistryView view);

  /**
   * Valid while the registry revision (the SOA serial) is unchanged: negative answers, SOA, node
   * names.
   */
  static Validity revision(long revision) {
    return v -> v.revision() == revision;
  }

  /**
   * Like {@link #revision} and the voters are the same (voters change without a new revision).
   * Compared by value: the same voters learnt again, in a new set, keep the answer; the identity
   * check first keeps the common case to one read.
   */
  static Validity revisionAndVoters(long revision, Set<String> voters) {
    return v -> {
      Set<String> now = v.voters();
      return v.revision() == revision && (now == voters || now.equals(voters));
    };
  }

  /**
   * Valid while the service under {@code key} is still at {@code revision}: its A, AAAA and SRV
   * answers.
   */
  static Validity service(ServiceKey key, long revision) {
    return v -> v.revisionOf(key) == revision;
  }

  /**
   * Valid while {@code vip} still belongs to the service it belonged to at {@code revision}: PTR
   * answers.
   */
  static Validity vip(InetAddress vip, long revision) {
    return v -> v.revisionOf(vip) == revision;
  }
}
