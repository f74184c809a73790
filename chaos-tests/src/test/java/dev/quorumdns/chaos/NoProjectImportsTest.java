package dev.quorumdns.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The suite reaches nodes only over HTTP and DNS: no source here may use another project module.
 */
@Timeout(30)
class NoProjectImportsTest {
  private static final Pattern PROJECT_IMPORT =
      Pattern.compile("(?m)^\\s*import\\s+(static\\s+)?dev\\.quorumdns\\.(?!chaos\\.)\\S+;");

  @Test
  void patternCatchesProjectImportsOnly() {
    assertTrue(PROJECT_IMPORT.matcher("import dev.quorumdns.node.Main;").find());
    assertTrue(
        PROJECT_IMPORT
            .matcher("package x;\nimport static dev.quorumdns.statemachine.Vip.of;")
            .find());
    assertTrue(!PROJECT_IMPORT.matcher("import dev.quorumdns.chaos.history.Op;").find());
    assertTrue(!PROJECT_IMPORT.matcher("String main = \"dev.quorumdns.node.Main\";").find());
  }

  @Test
  void noSourceImportsAnotherModule() throws IOException {
    List<String> offenders = new ArrayList<>();
    int files = 0;
    for (String root : List.of("src/main/java", "src/test/java")) {
      try (Stream<Path> walk = Files.walk(Path.of(root))) {
        for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
          files++;
          Matcher m = PROJECT_IMPORT.matcher(Files.readString(file));
          while (m.find()) {
            offenders.add(file + ": " + m.group().strip());
          }
        }
      }
    }
    assertTrue(files > 40, "sources found: " + files);
    assertEquals(List.of(), offenders);
  }
}
