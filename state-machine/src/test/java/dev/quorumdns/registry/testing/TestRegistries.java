package dev.quorumdns.registry.testing;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.vip.VipPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Real registries (RocksDB on disk) for tests of this and other modules. Entries are applied at the
 * next index of term 1 with a fixed log time unless given one. Not thread-safe; use from the test
 * thread.
 */
public final class TestRegistries {
  /** The log time every helper here uses unless told otherwise. */
  public static final long T0 = 1_700_000_000_000L;

  private TestRegistries() {}

  /** A loaded registry in {@code dir}, initialised with {@code settings}. */
  public static Registry open(Path dir, ClusterSettings settings) {
    Registry r = load(dir);
    apply(r, new Command.InitCluster(settings));
    return r;
  }

  /** A loaded registry in {@code dir}, initialised with {@link ClusterSettings#defaults()}. */
  public static Registry open(Path dir) {
    return open(dir, ClusterSettings.defaults());
  }

  /**
   * Loads whatever {@code dir} holds (nothing is applied): for reopening after {@link
   * Registry#close()}.
   */
  public static Registry load(Path dir) {
    Registry r = new Registry(dir, new SimpleMeterRegistry());
    try {
      r.load();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return r;
  }

  /**
   * Settings from pool text as in the configuration; {@code vip6} null or empty disables IPv6 VIPs.
   */
  public static ClusterSettings settings(String vip4, String vip6, long holdDownMillis) {
    return new ClusterSettings(
        VipPool.parse("vip-cidr", vip4),
        vip6 == null || vip6.isEmpty() ? null : VipPool.parse("vip6-cidr", vip6),
        holdDownMillis);
  }

  /** Applies {@code command} at the next index, log time {@link #T0}. */
  public static Outcome apply(Registry r, Command command) {
    return apply(r, command, T0);
  }

  /** Applies {@code command} at the next index with the given log time. */
  public static Outcome apply(Registry r, Command command, long timeMillis) {
    return applyInTerm(r, 1, command, timeMillis);
  }

  /** Applies {@code command} in an entry of {@code term} at the next index. */
  public static Outcome applyInTerm(Registry r, long term, Command command, long timeMillis) {
    try {
      return r.apply(term, r.meta().appliedIndex() + 1, new LogEntry(timeMillis, command));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers a service and returns it; fails if the registry refuses. */
  public static Service register(Registry r, String namespace, String name, ServiceSpec spec) {
    Outcome o = apply(r, new Command.UpsertService(new ServiceKey(namespace, name), spec));
    if (o instanceof Outcome.Written w) {
      return w.service();
    }
    throw new IllegalStateException("registration of " + namespace + "/" + name + " refused: " + o);
  }

  /**
   * Deletes a service at log time {@link #T0} and returns what it was; fails if it was not there.
   */
  public static Service deregister(Registry r, String namespace, String name) {
    Outcome o = apply(r, new Command.DeleteService(new ServiceKey(namespace, name)));
    if (o instanceof Outcome.Deleted d) {
      return d.service();
    }
    throw new IllegalStateException("deletion of " + namespace + "/" + name + " refused: " + o);
  }

  /**
   * {@code o} with the log times of written and deleted services left out (0), for tests that
   * compare outcomes and do not care when they applied.
   */
  public static Outcome timeless(Outcome o) {
    if (o instanceof Outcome.Written w) {
      return new Outcome.Written(w.service(), w.created(), w.changed());
    }
    if (o instanceof Outcome.Deleted d) {
      return new Outcome.Deleted(d.service());
    }
    if (o instanceof Outcome.BatchApplied b) {
      return new Outcome.BatchApplied(b.outcomes().stream().map(TestRegistries::timeless).toList());
    }
    if (o instanceof Outcome.GroupApplied g) {
      return new Outcome.GroupApplied(g.outcomes().stream().map(TestRegistries::timeless).toList());
    }
    return o;
  }
}
