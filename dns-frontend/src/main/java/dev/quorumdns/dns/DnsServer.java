package dev.quorumdns.dns;

import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.transfer.NotifySender;
import dev.quorumdns.dns.transfer.SnapshotSource;
import dev.quorumdns.dns.transfer.TransferMetrics;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.dns.transport.ResponseRateLimiter;
import dev.quorumdns.dns.transport.TcpChannelInitializer;
import dev.quorumdns.dns.transport.Transports;
import dev.quorumdns.dns.transport.UdpQueryHandler;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.RegistryView;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's DNS server: UDP and TCP on one port, answering from the local {@link RegistryView}
 * (docs/architecture.md). On Linux it uses epoll with one SO_REUSEPORT UDP socket per event-loop
 * thread; elsewhere NIO with one UDP socket. Lifecycle: {@link #start} once, then {@link #close}
 * once (also after a failed start), from one thread; the address getters may be called from any
 * thread after {@link #start} returned.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
  private static final int BIND_ATTEMPTS = 10;

  private final DnsConfig config;
  private final DnsMetrics metrics;
  private final QueryHandler handler;
  private final TcpChannelInitializer tcpInitializer;
  private final ResponseRateLimiter rrl;
  private final Transports transport = Transports.best();
  private final EventLoopGroup group;
  private final ZoneTransfers transfers;
  private final NotifySender notifier;
  private final List<Channel> udp = new ArrayList<>();
  private volatile Channel tcp;

  /** A server without zone transfers: AXFR and IXFR are REFUSED, NOTIFY is not sent. */
  public DnsServer(DnsConfig config, RegistryView view, MeterRegistry meters) {
    this(config, view, null, meters, System::nanoTime, Clock.systemUTC());
  }

  /**
   * A server that also serves zone transfers and sends NOTIFY as {@code config.transfers()} says,
   * reading transfers from {@code snapshots} (consistent reads of the same replica as {@code
   * view}).
   */
  public DnsServer(
      DnsConfig config, RegistryView view, SnapshotSource snapshots, MeterRegistry meters) {
    this(config, view, snapshots, meters, System::nanoTime, Clock.systemUTC());
  }

  /**
   * @param rrlClock the rate limiter's clock ({@link System#nanoTime()} but in tests)
   */
  DnsServer(DnsConfig config, RegistryView view, MeterRegistry meters, LongSupplier rrlClock) {
    this(config, view, null, meters, rrlClock, Clock.systemUTC());
  }

  /**
   * @param clock TSIG's clock (signing times and the BADTIME check)
   */
  DnsServer(
      DnsConfig config,
      RegistryView view,
      SnapshotSource snapshots,
      MeterRegistry meters,
      LongSupplier rrlClock,
      Clock clock) {
    this.config = config;
    this.metrics = new DnsMetrics(meters);
    Resolver resolver = new Resolver(config, view);
    TransferMetrics transferMetrics = new TransferMetrics(meters);
    this.transfers =
        snapshots == null
            ? null
            : new ZoneTransfers(config, view, snapshots, transferMetrics, clock);
    this.notifier =
        config.transfers().notifyTargets().isEmpty()
            ? null
            : new NotifySender(config, resolver, transferMetrics, System::nanoTime);
    this.handler = new QueryHandler(resolver, metrics, transfers);
    this.tcpInitializer =
        new TcpChannelInitializer(
            handler,
            metrics,
            config.tcpIdleTimeout(),
            config.maxTcpConnections(),
            config.limits().tcpPerClient(),
            config.nodeId(),
            transfers == null ? null : transfers.executor());
    this.rrl =
        config.limits().rateLimited() ? new ResponseRateLimiter(config.limits(), rrlClock) : null;
    this.group =
        new MultiThreadIoEventLoopGroup(
            config.threads(),
            new DefaultThreadFactory("dns-" + config.nodeId(), true),
            transport.ioHandlerFactory());
  }

  /**
   * Binds UDP and TCP on the configured address and port. With port 0, UDP binds an ephemeral port
   * first and TCP takes the same one, starting over (up to {@value #BIND_ATTEMPTS} times) if TCP
   * finds it taken.
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  public void start() throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        bind();
        break;
      } catch (IOException e) {
        closeChannels();
        boolean retry = config.port() == 0 && e instanceof BindException && attempt < BIND_ATTEMPTS;
        if (!retry) {
          throw new UncheckedIOException(
              "["
                  + config.nodeId()
                  + "] cannot bind DNS on "
                  + config.bindAddress().getHostAddress()
                  + ":"
                  + config.port()
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
    }
    LOG.info(
        "["
            + config.nodeId()
            + "] DNS listening on "
            + udpAddress()
            + " (udp x"
            + udp.size()
            + " and tcp, "
            + transport.name().toLowerCase(Locale.ROOT)
            + ", "
            + config.threads()
            + " thread(s)), zone "
            + config.domain()
            + (config.upstreams().isEmpty()
                ? ""
                : ", forwarding to "
                    + config.upstreams()
                    + " for "
                    + config.limits().upstreamAllow())
            + (rrl == null
                ? ""
                : ", rate limit "
                    + config.limits().rrlRate()
                    + "/s per prefix (slip "
                    + config.limits().rrlSlip()
                    + ", exempt "
                    + config.limits().rrlExempt()
                    + ")")
            + (transfers == null || !config.transfers().enabled()
                ? ""
                : ", zone transfers for "
                    + config.transfers().allow()
                    + (config.transfers().keys().isEmpty()
                        ? ""
                        : " with TSIG keys "
                            + config.transfers().keys()
                            + (config.transfers().requireTsig() ? " (required)" : " (optional)")))
            + (notifier == null ? "" : ", NOTIFY to " + config.transfers().notifyTargets()));
    if (notifier != null) {
      notifier.start();
    }
  }

  private void bind() throws InterruptedException, IOException {
    int sockets = transport.reusePort() ? config.threads() : 1;
    Iterator<EventExecutor> loops = group.iterator();
    InetSocketAddress at = new InetSocketAddress(config.bindAddress(), config.port());
    for (int i = 0; i < sockets; i++) {
      Channel c = await(udpBootstrap((EventLoopGroup) loops.next()).bind(at));
      udp.add(c);
      at =
          new InetSocketAddress(
              config.bindAddress(), ((InetSocketAddress) c.localAddress()).getPort());
    }
    tcp = await(tcpBootstrap().bind(at));
  }

  /** The bound channel, or the bind failure as an IOException (Netty rethrows it unchecked). */
  private static Channel await(ChannelFuture f) throws InterruptedException, IOException {
    f.await();
    if (f.isSuccess()) {
      return f.channel();
    }
    Throwable cause = f.cause();
    if (cause instanceof BindException bind) {
      throw bind;
    }
    if (cause instanceof IOException io && String.valueOf(io.getMessage()).contains("in use")) {
      BindException bind =
          new BindException(io.getMessage()); // epoll reports it as a NativeIoException
      bind.initCause(io);
      throw bind;
    }
    throw cause instanceof IOException io ? io : new IOException(cause);
  }

  private Bootstrap udpBootstrap(EventLoopGroup loop) {
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channelFactory(transport.datagramChannels())
            .option(ChannelOption.SO_RCVBUF, 4 << 20)
            .option(ChannelOption.SO_SNDBUF, 4 << 20)
            .handler(udpHandler());
    if (transport.reusePort()) {
      b.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    return b;
  }

  private ServerBootstrap tcpBootstrap() {
    return new ServerBootstrap()
        .group(group)
        .channelFactory(transport.serverChannels())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(
            ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 << 10, 256 << 10))
        .childHandler(tcpInitializer);
  }

  /** Where UDP listens (after {@link #start}). */
  public InetSocketAddress udpAddress() {
    return (InetSocketAddress) udp.get(0).localAddress();
  }

  /** Where TCP listens (after {@link #start}); the same port as UDP. */
  public InetSocketAddress tcpAddress() {
    return (InetSocketAddress) tcp.localAddress();
  }

  public DnsMetrics metrics() {
    return metrics;
  }

  /** A handler for one UDP channel, as the server installs it (for channel tests). */
  UdpQueryHandler udpHandler() {
    return new UdpQueryHandler(handler, rrl, metrics, config.nodeId());
  }

  /** Sets up an accepted TCP connection's pipeline, as the server does (for channel tests). */
  void initTcpChannel(Channel ch) {
    tcpInitializer.init(ch);
  }

  /**
   * TCP connections open now from {@code client} (counted only while {@code dns-tcp-per-client} is
   * set).
   */
  public int tcpConnections(InetAddress client) {
    return tcpInitializer.openConnections(client);
  }

  /** TCP connections open now. */
  public int tcpConnections() {
    return tcpInitializer.openConnections();
  }

  private void closeChannels() {
    udp.forEach(c -> c.close().syncUninterruptibly());
    udp.clear();
    Channel t = tcp;
    if (t != null) {
      t.close().syncUninterruptibly();
      tcp = null;
    }
  }

  /** The zone transfer and NOTIFY meters' owner, or null when transfers are not served. */
  public ZoneTransfers transfers() {
    return transfers;
  }

  /** Stops listening, closes every connection and stops the event loops. Idempotent. */
  @Override
  public void close() {
    boolean wasListening = !udp.isEmpty();
    if (notifier != null) {
      notifier.close();
    }
    closeChannels();
    if (transfers != null) {
      transfers.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    if (wasListening) {
      LOG.info("[{}] DNS stopped", config.nodeId());
    }
  }
}
