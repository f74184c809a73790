package dev.quorumdns.node.raft;

import dev.quorumdns.node.config.NodeConfig;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Ratis settings derived from a node's configuration. Stateless. */
final class RaftPropertiesFactory {
  private RaftPropertiesFactory() {}

  static RaftProperties server(NodeConfig config, SizeInBytes segmentSize) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(new File(config.raftDir().toString())));
    // gRPC, with log appenders whose wake-ups are never lost (see WakeUpRpc).
    RaftConfigKeys.Rpc.setType(p, new WakeUpRpc());
    GrpcConfigKeys.Server.setPort(p, config.raftPort());
    if (!config.bind().isAnyLocalAddress()) {
      GrpcConfigKeys.Server.setHost(p, config.bind().getHostAddress());
    }
    long election = config.electionTimeout().toMillis();
    // A follower notices a dead leader after sleeping one random timeout past its last message and
    // then a whole
    // second one (Ratis checks only when a sleep ends): between min and 2 * max. A narrow range
    // (max = 1.5 * min)
    // keeps that, and so write unavailability after a leader dies, under a second at the 300 ms
    // default.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(election));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(election * 3 / 2));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(Math.max(1000, 4 * election)));
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(p, ms(Math.max(1000, 4 * election)));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, segmentSize);
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    // By default the leader appends a metadata entry (the new commit index) after every commit: a
    // second log entry,
    // flushed on every member, for each write, and a sequential writer's next entry waits behind
    // its flush. The
    // commit index is not needed for safety (a restarted member learns it from the leader), so it
    // is not logged.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    // A restarted follower should not wait the default 5 s before the leader retries it.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,50, 500ms,1000000");
    // Ratis' appender sleeps until wait-time.min (10 ms by default) has passed since its last
    // append before it
    // sends the next one: every write waited for it, and followers learnt the commit index (and
    // answered DNS)
    // up to one such sleep late. Entries still go out in batches when many are queued. (Ozone runs
    // it at 0.)
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
    RaftServerConfigKeys.Notification.setNoLeaderTimeout(p, ms(Math.max(1000, 10 * election)));
    return p;
  }

  static RaftProperties client(Duration requestTimeout) {
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(requestTimeout.toMillis()));
    return p;
  }

  /**
   * Ratis parameters that put every gRPC channel of a server or client (server-to-server, client,
   * admin) on {@code tls}; empty parameters (plain gRPC) when it is null.
   */
  static Parameters parameters(GrpcTlsConfig tls) {
    Parameters p = new Parameters();
    if (tls != null) {
      GrpcConfigKeys.TLS.setConf(p, tls);
      GrpcConfigKeys.Server.setTlsConf(p, tls);
      GrpcConfigKeys.Client.setTlsConf(p, tls);
      GrpcConfigKeys.Admin.setTlsConf(p, tls);
    }
    return p;
  }

  private static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }
}
