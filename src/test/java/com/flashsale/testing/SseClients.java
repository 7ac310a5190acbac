package com.flashsale.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-sent-event clients on plain sockets, all served by one selector thread, so that a test can hold
 * a thousand streams open for a few kilobytes each (the JDK's HttpClient would add its own machinery per
 * stream to the heap a test measures). Each stream records its status, content type, events and
 * heartbeat comments. The parser reads lines: the chunked framing's size lines hold no colon and are
 * skipped, which is enough because the server writes each event in a chunk of its own.
 */
public final class SseClients implements AutoCloseable {

  /** One event as received; {@code nanos} is {@link System#nanoTime()} at receipt. */
  public record Event(String name, String data, long nanos) {}

  /** One client connection and what it received so far. */
  public static final class Stream {

    private final SocketChannel channel;
    private final ByteBuffer request;
    private final boolean keepEvents;
    private final StringBuilder line = new StringBuilder();
    private boolean inBody;
    private String eventName;
    private String eventData;
    private volatile int status = -1;
    private volatile String contentType;
    private volatile Event last;
    private volatile boolean ended;
    private final AtomicInteger eventCount = new AtomicInteger();
    private final AtomicInteger heartbeats = new AtomicInteger();
    private final List<Event> events = new CopyOnWriteArrayList<>();

    private Stream(SocketChannel channel, String host, String path, boolean keepEvents) {
      this.channel = channel;
      this.keepEvents = keepEvents;
      this.request = ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    public int status() {
      return status;
    }

    public String contentType() {
      return contentType;
    }

    /** Every event, when the stream keeps them. */
    public List<Event> events() {
      return List.copyOf(events);
    }

    public Event last() {
      return last;
    }

    public String lastData() {
      Event event = last;
      return event == null ? null : event.data();
    }

    public int eventCount() {
      return eventCount.get();
    }

    public int heartbeats() {
      return heartbeats.get();
    }

    /** The server closed the connection. */
    public boolean ended() {
      return ended;
    }

    private void read(ByteBuffer bytes) {
      while (bytes.hasRemaining()) {
        char c = (char) (bytes.get() & 0xff);
        if (c == '\n') {
          int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
          onLine(line.substring(0, end));
          line.setLength(0);
        } else {
          line.append(c);
        }
      }
    }

    private void onLine(String text) {
      if (!inBody) {
        if (status < 0 && text.startsWith("HTTP/1.1 ")) {
          status = Integer.parseInt(text.substring(9, 12));
        } else if (text.regionMatches(true, 0, "Content-Type:", 0, 13)) {
          contentType = text.substring(13).strip();
        } else if (text.isEmpty()) {
          inBody = true;
        }
        return;
      }
      if (text.isEmpty()) {
        if (eventData != null) {
          Event event = new Event(eventName == null ? "message" : eventName, eventData, System.nanoTime());
          last = event;
          if (keepEvents) {
            events.add(event);
          }
          eventCount.incrementAndGet();
        }
        eventName = null;
        eventData = null;
      } else if (text.startsWith(":")) {
        if (text.substring(1).strip().equals("heartbeat")) {
          heartbeats.incrementAndGet();
        }
      } else if (text.startsWith("data:")) {
        String data = text.substring(5).startsWith(" ") ? text.substring(6) : text.substring(5);
        eventData = eventData == null ? data : eventData + "\n" + data;
      } else if (text.startsWith("event:")) {
        eventName = text.substring(6).strip();
      }
    }
  }

  private final InetSocketAddress server;
  private final String path;
  private final boolean keepEvents;
  private final Selector selector;
  private final Thread loop;
  private final Queue<Stream> toConnect = new ConcurrentLinkedQueue<>();
  private final List<Stream> streams = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private SseClients(int port, String path, boolean keepEvents) {
    this.server = new InetSocketAddress("127.0.0.1", port);
    this.path = path;
    this.keepEvents = keepEvents;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.loop = new Thread(this::run, "sse-clients");
    this.loop.setDaemon(true);
    this.loop.start();
  }

  /** Clients of {@code path} on the node at {@code port}; none connected yet. */
  public static SseClients of(int port, String path, boolean keepEvents) {
    return new SseClients(port, path, keepEvents);
  }

  /** Opens {@code count} more streams and answers them (they connect in the background). */
  public List<Stream> connect(int count) {
    List<Stream> opened = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        Stream stream = new Stream(channel, server.getHostString() + ":" + server.getPort(), path, keepEvents);
        opened.add(stream);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    streams.addAll(opened);
    toConnect.addAll(opened);
    selector.wakeup();
    return opened;
  }

  public List<Stream> streams() {
    return List.copyOf(streams);
  }

  private void run() {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    while (!closed) {
      try {
        selector.select(100);
        for (Stream stream; (stream = toConnect.poll()) != null; ) {
          if (stream.channel.connect(server)) {
            stream.channel.register(selector, SelectionKey.OP_WRITE, stream);
          } else {
            stream.channel.register(selector, SelectionKey.OP_CONNECT, stream);
          }
        }
        for (SelectionKey key : selector.selectedKeys()) {
          Stream stream = (Stream) key.attachment();
          try {
            handle(key, stream, buffer);
          } catch (IOException e) {
            stream.ended = true;
            key.cancel();
            stream.channel.close();
          }
        }
        selector.selectedKeys().clear();
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private static void handle(SelectionKey key, Stream stream, ByteBuffer buffer) throws IOException {
    if (key.isConnectable() && stream.channel.finishConnect()) {
      key.interestOps(SelectionKey.OP_WRITE);
    }
    if (key.isValid() && key.isWritable()) {
      stream.channel.write(stream.request);
      if (!stream.request.hasRemaining()) {
        key.interestOps(SelectionKey.OP_READ);
      }
    }
    if (key.isValid() && key.isReadable()) {
      buffer.clear();
      int read = stream.channel.read(buffer);
      if (read < 0) {
        stream.ended = true;
        key.cancel();
        stream.channel.close();
        return;
      }
      buffer.flip();
      stream.read(buffer);
    }
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
    try {
      loop.join(5_000);
      for (Stream stream : streams) {
        stream.channel.close();
      }
      selector.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
