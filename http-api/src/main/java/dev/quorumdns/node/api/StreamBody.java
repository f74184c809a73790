package dev.quorumdns.node.api;

import io.netty.channel.Channel;

/**
 * A response body written over time after its head (a watch stream), on the connection it answers.
 */
public interface StreamBody {
  /**
   * Takes the connection over once the head (chunked) is written: writes its chunks as {@code
   * ByteBuf}s and ends by closing it. Called once, on the connection's event loop.
   */
  void start(Channel channel);

  /**
   * The head was never written (the connection closed first): gives back what was reserved. Any
   * thread.
   */
  void abandon();
}
