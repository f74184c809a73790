package dev.quorumdns.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;

/**
 * Writes the bash/zsh completion script of the whole command tree; run by the build ({@code
 * cli/target/quorumdns_completion}, shipped as {@code completion/quorumdns_completion}).
 */
public final class CompletionScript {
  private CompletionScript() {}

  /**
   * @param args the file to write
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CompletionScript FILE");
    }
    String script =
        AutoComplete.bash(
            "quorumdns",
            Main.commandLine(
                new Context(
                    Map.of(),
                    new PrintWriter(Writer.nullWriter()),
                    new PrintWriter(Writer.nullWriter()),
                    false)));
    Path file = Path.of(args[0]);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, script, StandardCharsets.UTF_8);
  }
}
