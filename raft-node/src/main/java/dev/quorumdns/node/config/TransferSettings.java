package dev.quorumdns.node.config;

import dev.quorumdns.dns.AddressRanges;
import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.dns.transfer.TsigKey;
import dev.quorumdns.dns.transfer.TsigKeyFile;
import dev.quorumdns.registry.IpAddresses;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the zone transfer settings ({@code transfer-allow}, {@code tsig-key-file}, {@code
 * transfer-require-tsig}, {@code transfer-concurrency}, {@code notify}, {@code notify-interval})
 * into a {@link TransferConfig}, with the defaults of docs/security/dns.md: no transfers, TSIG
 * required once a key file is given. The key file is read here, so a bad one refuses the start
 * naming {@code tsig-key-file}. Stateless.
 */
final class TransferSettings {
  private TransferSettings() {}

  static TransferConfig from(Settings s) {
    List<String> blocks = s.list("transfer-allow");
    AddressRanges allow =
        blocks.isEmpty() || blocks.size() == 1 && blocks.get(0).equalsIgnoreCase("none")
            ? AddressRanges.none()
            : AddressRanges.parse("transfer-allow", blocks);
    String file = s.string("tsig-key-file", null);
    List<TsigKey> keys =
        file == null || file.isEmpty() ? List.of() : TsigKeyFile.read(Path.of(file));
    boolean require = s.bool("transfer-require-tsig", !keys.isEmpty());
    int concurrency =
        s.integer("transfer-concurrency", TransferConfig.DEFAULT_MAX_CONCURRENT, 1, 1000);
    List<InetSocketAddress> notify = new ArrayList<>();
    for (String n : s.list("notify")) {
      HostPort hp =
          n.indexOf(':') < 0 || (n.startsWith("[") && n.endsWith("]"))
              ? new HostPort(n.replace("[", "").replace("]", ""), 53)
              : HostPort.parse("notify", n);
      notify.add(new InetSocketAddress(IpAddresses.parse("notify", hp.host()), hp.port()));
    }
    Duration interval = s.duration("notify-interval", TransferConfig.DEFAULT_NOTIFY_INTERVAL);
    return new TransferConfig(allow, keys, require, concurrency, notify, interval);
  }
}
