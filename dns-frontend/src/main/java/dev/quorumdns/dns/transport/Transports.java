package dev.quorumdns.dns.transport;

import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** The socket implementation: native epoll on Linux when it loads, NIO elsewhere. Immutable. */
public enum Transports {
  EPOLL,
  NIO;

  /** Epoll if the native library is available here, else NIO. */
  public static Transports best() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  public IoHandlerFactory ioHandlerFactory() {
    return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  public ChannelFactory<DatagramChannel> datagramChannels() {
    return this == EPOLL ? EpollDatagramChannel::new : NioDatagramChannel::new;
  }

  public ChannelFactory<ServerChannel> serverChannels() {
    return this == EPOLL ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
  }

  /** True if several UDP sockets can share one port (SO_REUSEPORT), one per event loop. */
  public boolean reusePort() {
    return this == EPOLL;
  }
}
