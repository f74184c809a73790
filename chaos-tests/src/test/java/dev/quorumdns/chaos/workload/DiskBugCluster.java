package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.ClusterStatus;
import dev.quorumdns.chaos.client.DnsApi;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.client.RegistryApi;
import dev.quorumdns.chaos.client.ServiceSpec;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link FakeCluster} with one of the bugs a disk fault could cause, to show the checkers catch
 * them: an acknowledged write that was never synced and is gone after a crash, or a node serving
 * state whose bytes changed on disk. Thread-safe (one lock, besides the cluster's).
 */
final class DiskBugCluster implements RegistryApi, DnsApi {
  enum Bug {
    /** Every 10th acknowledged creation is lost afterwards (as if only in a lost page cache). */
    LOST_UNSYNCED_WRITE,
    /**
     * The last node answers one in 8 DNS queries and its whole-registry reads with a changed VIP.
     */
    CORRUPT_STATE_SERVED
  }

  private final FakeCluster cluster;
  private final Bug bug;
  private final String corruptNode;
  private int created;
  private int resolved;

  DiskBugCluster(FakeCluster cluster, Bug bug, String corruptNode) {
    this.cluster = cluster;
    this.bug = bug;
    this.corruptNode = corruptNode;
  }

  @Override
  public synchronized Outcome put(String node, String name, ServiceSpec spec) {
    Outcome out = cluster.put(node, name, spec);
    if (bug == Bug.LOST_UNSYNCED_WRITE && "created".equals(out.result()) && ++created % 10 == 0) {
      cluster.delete(node, name);
    }
    return out;
  }

  @Override
  public Outcome delete(String node, String name) {
    return cluster.delete(node, name);
  }

  @Override
  public Outcome get(String node, String name) {
    return cluster.get(node, name);
  }

  @Override
  public Outcome list(String node, boolean stale) {
    Outcome out = cluster.list(node, stale);
    if (bug != Bug.CORRUPT_STATE_SERVED || !node.equals(corruptNode) || out.registry() == null) {
      return out;
    }
    SortedMap<String, RegistryEntry> changed = new TreeMap<>();
    out.registry().forEach((k, e) -> changed.put(k, new RegistryEntry(flip(e.vip()), e.spec())));
    return out.withRegistry(changed);
  }

  @Override
  public ClusterStatus cluster(String node) {
    return cluster.cluster(node);
  }

  @Override
  public synchronized Outcome resolve(String node, String name) {
    Outcome out = cluster.resolve(node, name);
    if (bug == Bug.CORRUPT_STATE_SERVED
        && node.equals(corruptNode)
        && out.vip() != null
        && ++resolved % 8 == 0) {
      return Outcome.ok(out.result(), out.spec(), flip(out.vip()), out.revision());
    }
    return out;
  }

  /** The VIP with one bit of its last octet flipped. */
  private static String flip(String vip) {
    if (vip == null) {
      return null;
    }
    int dot = vip.lastIndexOf('.');
    int last = Integer.parseInt(vip.substring(dot + 1)) ^ 0x40;
    return vip.substring(0, dot + 1) + last;
  }
}
