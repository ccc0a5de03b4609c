package io.imago.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A hand-driven HTTP/1.1 connection, for what real clients do that client libraries hide:
 * stopping in the middle of a body, sending headers and waiting, disconnecting.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Sends a request line and headers (CRLF-terminated lines, blank line added). */
  public RawHttp head(String requestLine, String... headers) throws IOException {
    StringBuilder b = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return this;
  }

  public RawHttp body(byte[] data, int off, int len) throws IOException {
    out.write(data, off, len);
    out.flush();
    return this;
  }

  /** One chunk of a chunked body; an empty array sends the last chunk. */
  public RawHttp chunk(byte[] data) throws IOException {
    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(data);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return this;
  }

  /** Reads the next status line and headers, interim (1xx) responses included; returns the code. */
  public int readInterim() throws IOException {
    return read(false);
  }

  /** Reads the status line and headers of the final response; returns the status code. */
  public int readStatus() throws IOException {
    return read(true);
  }

  private int read(boolean skipInterim) throws IOException {
    int prev = -1;
    int c;
    StringBuilder head = new StringBuilder();
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (prev == '\r' && c == '\n' && head.toString().endsWith("\r\n\r\n")) {
        String text = head.toString();
        if (skipInterim && text.startsWith("HTTP/1.1 100")) {
          head.setLength(0);
          prev = -1;
          continue;
        }
        return Integer.parseInt(text.substring(9, 12));
      }
      prev = c;
    }
    throw new IOException("connection closed before a response: " + head);
  }

  /** Closes the connection abruptly (a client that dies mid-request). */
  @Override
  public void close() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }
}
