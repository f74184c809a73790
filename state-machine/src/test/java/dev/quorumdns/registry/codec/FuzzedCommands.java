package dev.quorumdns.registry.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Precondition;
import dev.quorumdns.registry.vip.VipPool;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds commands from fuzzer-chosen fields. Field values lean towards the valid (labels from a
 * small alphabet, ports in range) with some room to be invalid; an invalid value makes a
 * constructor throw {@link IllegalArgumentException}, which callers treat as "no command", not as a
 * codec finding. One instance per input; not thread-safe.
 */
final class FuzzedCommands {
  private static final String LABEL_CHARS = "abcz09-A.";

  private final FuzzedDataProvider data;

  FuzzedCommands(FuzzedDataProvider data) {
    this.data = data;
  }

  Command command(boolean top) {
    int kind = data.consumeInt(0, top ? 10 : 9);
    return switch (kind) {
      case 0 -> new Command.UpsertService(key(), spec(), precondition());
      case 1 -> new Command.DeleteService(key(), precondition());
      case 2 ->
          new Command.Batch(
              list(
                  3,
                  () ->
                      data.consumeBoolean()
                          ? new Command.UpsertService(key(), spec(), precondition())
                          : new Command.DeleteService(key(), precondition())));
      case 3 -> new Command.PutNode(node());
      case 4 -> new Command.RemoveNode(label(false));
      case 5 -> new Command.InitCluster(settings());
      case 6 -> new Command.GrantLease(data.consumeLong(), data.consumeLong(4_000, 3_700_000));
      case 7 -> new Command.RevokeLease(data.consumeLong());
      case 8 -> new Command.ExpireLeases(list(3, data::consumeLong));
      case 9 ->
          new Command.SetEndpointHealth(
              key(),
              label(true),
              data.consumeBoolean() ? data.consumeInt(0, 65536) : null,
              data.pickValue(Health.values()));
      default -> new Command.Group(list(4, () -> command(false)));
    };
  }

  /** Mostly none; else one of each kind (a revision may be out of range). */
  private Precondition precondition() {
    return switch (data.consumeInt(0, 5)) {
      case 0, 1, 2 -> null;
      case 3 -> new Precondition.Revision(data.consumeLong(0, Long.MAX_VALUE));
      case 4 -> new Precondition.Absent();
      default -> new Precondition.Present();
    };
  }

  private ServiceKey key() {
    return new ServiceKey(label(false), label(false));
  }

  private ServiceSpec spec() {
    List<ServicePort> ports =
        list(
            4,
            () ->
                new ServicePort(
                    data.consumeBoolean() ? null : label(false),
                    data.pickValue(Protocol.values()),
                    data.consumeInt(0, 65536)));
    List<Endpoint> endpoints =
        list(
            3,
            () ->
                new Endpoint(
                    data.consumeBoolean()
                        ? address(data.consumeBoolean()).getHostAddress()
                        : label(true),
                    data.consumeBoolean() ? data.consumeInt(0, 65536) : null,
                    data.consumeBoolean() ? data.consumeInt(-1, 65536) : null,
                    data.pickValue(Health.values()),
                    data.consumeBoolean() ? data.consumeLong() : null));
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      labels.put(label(true), data.consumeString(12));
    }
    InetAddress vip4 = data.consumeBoolean() ? address(false) : null;
    InetAddress vip6 = data.consumeBoolean() ? address(true) : null;
    return new ServiceSpec(
        ports, endpoints, labels, (Inet4Address) vip4, (Inet6Address) vip6, data.consumeBoolean());
  }

  private NodeRecord node() {
    return new NodeRecord(
        label(false),
        address(data.consumeBoolean()),
        data.consumeInt(0, 65536),
        data.consumeInt(0, 65536),
        data.consumeInt(0, 65536));
  }

  private ClusterSettings settings() {
    VipPool v4 = VipPool.parse("vip-cidr", cidr(false));
    VipPool v6 = data.consumeBoolean() ? VipPool.parse("vip6-cidr", cidr(true)) : null;
    return new ClusterSettings(v4, v6, data.consumeLong(-1, 8L * 24 * 3600 * 1000));
  }

  private String cidr(boolean v6) {
    InetAddress a = address(v6);
    return a.getHostAddress() + "/" + data.consumeInt(0, v6 ? 129 : 33);
  }

  /** A DNS-label-like string; with {@code dotted}, possibly several labels. */
  private String label(boolean dotted) {
    int n = data.consumeInt(0, 12);
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = LABEL_CHARS.charAt(data.consumeInt(0, LABEL_CHARS.length() - 1));
      b.append(c == '.' && !dotted ? 'q' : c);
    }
    return b.toString();
  }

  private InetAddress address(boolean v6) {
    byte[] raw = data.consumeBytes(v6 ? 16 : 4);
    byte[] full = new byte[v6 ? 16 : 4];
    System.arraycopy(raw, 0, full, 0, raw.length);
    try {
      return v6 ? Inet6Address.getByAddress(null, full, -1) : InetAddress.getByAddress(full);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + full.length + " bytes was refused", e);
    }
  }

  private <T> List<T> list(int max, java.util.function.Supplier<T> element) {
    int n = data.consumeInt(0, max);
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(element.get());
    }
    return out;
  }
}
