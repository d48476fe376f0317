package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Topic names live in {@link Topics}: a properties file of any module that names another one fails here. */
class TopicsTest {
    private static final Pattern TOPIC = Pattern.compile("hangar\\.[a-z0-9.-]+");

    @Test
    void everyTopicThatConfigNamesIsATopicsConstant() throws IOException, IllegalAccessException {
        Set<String> known = new HashSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.get(null).toString().startsWith("hangar.")) {
                known.add(f.get(null).toString());
            }
        }
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root, 6)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".properties"))
                    .filter(p -> p.toString().contains("/src/")).toList();
        }
        assertFalse(files.isEmpty(), "no properties files found under " + root);
        var unknown = new ArrayList<String>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (line.strip().startsWith("#")) {
                    continue;
                }
                var m = TOPIC.matcher(line);
                while (m.find()) {
                    String name = m.group().replaceAll("\\.$", "");
                    if (!known.contains(name) && isTopicValue(line)) {
                        unknown.add(root.relativize(file) + ": " + name);
                    }
                }
            }
        }
        assertEquals(List.of(), unknown, "topics named in config but not in Topics");
    }

    /** The value of a key that names topics ({@code mp.messaging.*.topic}, {@code *.topics}, a DLQ topic). */
    private static boolean isTopicValue(String line) {
        int eq = line.indexOf('=');
        return eq >= 0 && line.substring(0, eq).strip().matches(".*\\.topics?") && TOPIC.matcher(line.substring(eq + 1)).find();
    }
}
