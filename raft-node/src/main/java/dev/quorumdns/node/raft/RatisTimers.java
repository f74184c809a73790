package dev.quorumdns.node.raft;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Ratis' own timers (log flush and sync, append latency, follower append latency, client write
 * handling, ...) as Micrometer gauges: {@code quorumdns_ratis_timer_seconds{metric, quantile}} and
 * {@code quorumdns_ratis_timer_count{metric}}. Ratis keeps them in its own registries and reports
 * them over JMX; this reads them from the platform MBean server, where new ones appear as divisions
 * and appenders start, so {@link #refresh} is called now and then. Quantiles are Ratis' own (a
 * decaying sample of recent events).
 *
 * <p>Off by default (the system property {@value #PROPERTY}{@code =true} turns it on): there are
 * many. Thread-safe.
 */
final class RatisTimers {
  static final String PROPERTY = "quorumdns.ratis.metrics";
  private static final String[] QUANTILES = {"50thPercentile", "0.5", "99thPercentile", "0.99"};

  private final MeterRegistry meters;
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final Set<ObjectName> bound = new HashSet<>();

  RatisTimers(MeterRegistry meters) {
    this.meters = meters;
  }

  static boolean enabled() {
    return Boolean.getBoolean(PROPERTY);
  }

  /** Binds the Ratis timers that appeared since the last call. */
  synchronized void refresh() {
    for (String domain : new String[] {"ratis", "ratis_grpc"}) {
      Set<ObjectName> names;
      try {
        names = server.queryNames(new ObjectName(domain + ":*"), null);
      } catch (JMException e) {
        continue;
      }
      for (ObjectName n : names) {
        if (!bound.contains(n) && isTimer(n)) {
          bind(n);
          bound.add(n);
        }
      }
    }
  }

  private boolean isTimer(ObjectName n) {
    try {
      return server.getMBeanInfo(n).getClassName().endsWith("JmxTimer");
    } catch (JMException e) {
      return false;
    }
  }

  private void bind(ObjectName n) {
    String name = n.getKeyProperty("name");
    String metric = metricName(name);
    String member = member(name);
    double toSeconds = unitSeconds(n);
    for (int i = 0; i < QUANTILES.length; i += 2) {
      String attribute = QUANTILES[i];
      Gauge.builder(
              "quorumdns.ratis.timer.seconds", server, s -> number(s, n, attribute) * toSeconds)
          .description("Ratis timer quantile (Ratis' decaying sample)")
          .tag("metric", metric)
          .tag("member", member)
          .tag("quantile", QUANTILES[i + 1])
          .register(meters);
    }
    Gauge.builder(
            "quorumdns.ratis.timer.mean.seconds", server, s -> number(s, n, "Mean") * toSeconds)
        .description("Ratis timer mean (Ratis' decaying sample)")
        .tag("metric", metric)
        .tag("member", member)
        .register(meters);
    Gauge.builder("quorumdns.ratis.timer.count", server, s -> number(s, n, "Count"))
        .description("Ratis timer events")
        .tag("metric", metric)
        .tag("member", member)
        .register(meters);
  }

  private static final Pattern MEMBER = Pattern.compile("([^.]*)@group-[0-9A-Fa-f]+\\.");

  /** {@code ratis.log_worker.n1@group-ABC.flushTime} becomes {@code log_worker.flushTime}. */
  static String metricName(String name) {
    String s = MEMBER.matcher(unquote(name)).replaceAll("");
    int dot = s.indexOf('.');
    return dot < 0 ? s : s.substring(dot + 1);
  }

  /**
   * The member a timer belongs to ({@code n1} in {@code ratis.log_worker.n1@group-ABC.flushTime}),
   * or "".
   */
  static String member(String name) {
    Matcher m = MEMBER.matcher(unquote(name));
    return m.find() ? m.group(1) : "";
  }

  private static String unquote(String name) {
    return name.startsWith("\"") && name.endsWith("\"")
        ? name.substring(1, name.length() - 1)
        : name;
  }

  private double unitSeconds(ObjectName n) {
    try {
      Object unit = server.getAttribute(n, "DurationUnit");
      return TimeUnit.valueOf(String.valueOf(unit).toUpperCase(Locale.ROOT)).toNanos(1) / 1e9;
    } catch (JMException | IllegalArgumentException e) {
      return 1e-3; // Dropwizard's JMX default: milliseconds
    }
  }

  private static double number(MBeanServer s, ObjectName n, String attribute) {
    try {
      return ((Number) s.getAttribute(n, attribute)).doubleValue();
    } catch (JMException | ClassCastException e) {
      return Double.NaN;
    }
  }
}
