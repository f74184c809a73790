package dev.quorumdns.node.it;

import dev.quorumdns.node.tls.PemFiles;
import dev.quorumdns.node.tls.ReloadingKeyManager;
import dev.quorumdns.node.tls.ReloadingTrustManager;
import dev.quorumdns.node.tls.TlsContexts;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.CommandCodec;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * A bare Ratis client aimed at a cluster's Raft ports (not its API): what an intruder on the
 * network could send. With a CA, certificate and key it speaks mutual TLS with them; without, plain
 * gRPC. Not thread-safe.
 */
final class RawRaftClient implements AutoCloseable {
  private final RaftClient client;

  RawRaftClient(List<String> peers, Path ca, Path cert, Path key) throws Exception {
    List<RaftPeer> members = new ArrayList<>();
    for (String p : peers) {
      String[] kv = p.split("=");
      members.add(RaftPeer.newBuilder().setId(kv[0]).setAddress(kv[1]).build());
    }
    RaftGroupId group =
        RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("quorumdns/quorumdns".getBytes(StandardCharsets.UTF_8)));
    RaftProperties props = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    Parameters params = new Parameters();
    if (ca != null) {
      SSLContext unused = TlsContexts.client(ca, cert, key); // validates the files
      ReloadingKeyManager km = new ReloadingKeyManager();
      km.update(PemFiles.privateKey(key), PemFiles.certificates(cert));
      ReloadingTrustManager tm = new ReloadingTrustManager();
      tm.update(PemFiles.certificates(ca));
      GrpcTlsConfig tls = new GrpcTlsConfig(km, tm, true);
      GrpcConfigKeys.TLS.setConf(params, tls);
      GrpcConfigKeys.Client.setTlsConf(params, tls);
      GrpcConfigKeys.Admin.setTlsConf(params, tls);
    }
    client =
        RaftClient.newBuilder()
            .setRaftGroup(RaftGroup.valueOf(group, members))
            .setProperties(props)
            .setParameters(params)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    3, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
            .build();
  }

  /**
   * Tries to register {@code ns/name} straight through Raft: {@code applied}, or {@code failed: }
   * and the exception with its causes.
   */
  String put(String ns, String name) {
    Command c =
        new Command.UpsertService(
            new ServiceKey(ns, name), new ServiceSpec(List.of(), List.of(), Map.of(), null, null));
    try {
      RaftClientReply reply =
          client.io().send(Message.valueOf(ByteString.copyFrom(CommandCodec.encodeRequest(c))));
      return reply.isSuccess() ? "applied" : "failed: " + reply.getException();
    } catch (IOException e) {
      StringBuilder why = new StringBuilder(e.toString());
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        why.append("\n  caused by ").append(t);
      }
      System.err.println("raw raft client " + name + ": " + why);
      return "failed: " + why;
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
