package dev.quorumdns.dns;

import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.RegistryView;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's DNS server: UDP and TCP on one port, answering from the local {@link RegistryView}. On Linux it
 * uses epoll with one SO_REUSEPORT UDP socket per event-loop thread; elsewhere NIO with one UDP socket.
 * {@link #start} and {@link #close} are called once each, from one thread.
 */
public final class DnsServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DnsServer.class.getName());
  private static final int BIND_ATTEMPTS = 10;

  private final DnsConfig config;
  private final QueryHandler handler;
  private final DnsMetrics metrics;
  private final boolean epoll = Epoll.isAvailable();
  private final EventLoopGroup group;
  private final AtomicInteger tcpConnections = new AtomicInteger();
  private final List<Channel> udp = new ArrayList<>();
  private final UdpHandler udpHandler;
  private Channel tcp;

  public DnsServer(DnsConfig config, RegistryView view, MeterRegistry meters) {
    this.config = config;
    this.metrics = new DnsMetrics(meters);
    this.handler = new QueryHandler(new Resolver(config, view), metrics);
    this.udpHandler = new UdpHandler(handler);
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(config.threads(), io);
  }

  /** Binds UDP and TCP on the configured port (or one free port shared by both when it is 0). */
  public void start() throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        bind();
        break;
      } catch (RuntimeException e) {
        closeChannels();
        if (config.port() != 0 || attempt >= BIND_ATTEMPTS || !(e.getCause() instanceof BindException
            || e instanceof io.netty.channel.ChannelException)) {
          throw e;
        }
      }
    }
    LOG.log(System.Logger.Level.INFO, "[" + config.nodeId() + "] DNS listening on " + udpAddress() + " (udp x"
        + udp.size() + ", tcp; " + (epoll ? "epoll" : "nio") + ")");
  }

  private void bind() throws InterruptedException {
    int sockets = epoll ? config.threads() : 1;
    InetSocketAddress first = new InetSocketAddress(config.bindAddress(), config.port());
    Channel c0 = udpBootstrap().bind(first).sync().channel();
    udp.add(c0);
    int port = ((InetSocketAddress) c0.localAddress()).getPort();
    InetSocketAddress at = new InetSocketAddress(config.bindAddress(), port);
    for (int i = 1; i < sockets; i++) {
      udp.add(udpBootstrap().bind(at).sync().channel());
    }
    tcp = tcpBootstrap().bind(at).sync().channel();
  }

  private Bootstrap udpBootstrap() {
    Bootstrap b = new Bootstrap().group(group)
        .channelFactory((ChannelFactory<DatagramChannel>) () -> epoll ? new EpollDatagramChannel()
            : new NioDatagramChannel())
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .option(ChannelOption.SO_SNDBUF, 4 << 20)
        .handler(udpHandler);
    if (epoll) {
      b.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    return b;
  }

  private ServerBootstrap tcpBootstrap() {
    return new ServerBootstrap().group(group)
        .channelFactory((ChannelFactory<ServerChannel>) () -> epoll ? new EpollServerSocketChannel()
            : new NioServerSocketChannel())
        .option(ChannelOption.SO_BACKLOG, 512)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            initTcpChannel(ch);
          }
        });
  }

  /** The pipeline of one TCP connection: idle timeout, 2-byte length framing, the query handler. */
  void initTcpChannel(Channel ch) {
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, config.tcpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast(new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2))
        .addLast(new LengthFieldPrepender(2))
        .addLast(new TcpHandler(handler, metrics, tcpConnections, config.maxTcpConnections()));
  }

  /** The handler every UDP channel uses. */
  UdpHandler udpHandler() {
    return udpHandler;
  }

  public InetSocketAddress udpAddress() {
    return (InetSocketAddress) udp.get(0).localAddress();
  }

  public InetSocketAddress tcpAddress() {
    return (InetSocketAddress) tcp.localAddress();
  }

  public DnsMetrics metrics() {
    return metrics;
  }

  /** Open TCP connections now. */
  public int tcpConnections() {
    return tcpConnections.get();
  }

  private void closeChannels() {
    udp.forEach(c -> c.close().syncUninterruptibly());
    udp.clear();
    if (tcp != null) {
      tcp.close().syncUninterruptibly();
      tcp = null;
    }
  }

  @Override
  public void close() {
    closeChannels();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
