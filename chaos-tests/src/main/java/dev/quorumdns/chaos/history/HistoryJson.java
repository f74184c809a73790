package dev.quorumdns.chaos.history;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Histories as JSON lines: one {@link Op} object per line, in index order. Stateless and
 * thread-safe; a {@link LineWriter} is for one thread (or the recorder's lock) at a time.
 */
public final class HistoryJson {
  private final ObjectMapper mapper =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public String toLine(Op op) {
    try {
      return mapper.writeValueAsString(op);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + op.brief(), e);
    }
  }

  public Op fromLine(String line) {
    try {
      return mapper.readValue(line, Op.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode history line: " + line, e);
    }
  }

  public void write(History history, Path file) throws IOException {
    try (LineWriter out = new LineWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      history.ops().forEach(out::accept);
    }
  }

  public History read(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in);
    }
  }

  public History read(Reader reader) throws IOException {
    List<Op> ops = new ArrayList<>();
    BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    int lineNumber = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      try {
        ops.add(fromLine(line));
      } catch (UncheckedIOException e) {
        throw new IOException("history line " + lineNumber + ": " + e.getCause().getMessage(), e);
      }
    }
    return new History(ops);
  }

  /** Streams events to a writer as they are recorded; use as a {@link HistoryRecorder} sink. */
  public final class LineWriter implements Consumer<Op>, AutoCloseable {
    private final Writer out;

    public LineWriter(Writer out) {
      this.out = out instanceof BufferedWriter ? out : new BufferedWriter(out);
    }

    @Override
    public void accept(Op op) {
      try {
        out.write(toLine(op));
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write history", e);
      }
    }

    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
