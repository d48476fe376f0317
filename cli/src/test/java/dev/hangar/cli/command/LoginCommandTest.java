package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.Main;
import dev.hangar.cli.config.CredentialsFile;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hangar login/logout} against a real HTTP server: the token is checked, stored 0600, never printed. */
class LoginCommandTest {
    static final String GOOD = "hgr_the-good-token-0123456789";
    HttpServer server;
    String url;

    @TempDir
    Path home;

    @BeforeEach
    void gateway() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/session", exchange -> {
            boolean ok = ("Bearer " + GOOD).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (ok ? "{\"owner\":\"alice\"}" : "{\"status\":401,\"code\":\"ERR_UNAUTHORIZED\",\"detail\":\"no\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", ok ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    record Ran(int exit, String out, String err) {}

    Ran run(Object command, String stdin, String... args) {
        if (command instanceof LoginCommand login) {
            login.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
            login.console = null;
            login.file = new CredentialsFile(home.resolve("hangar/config.json"));
        } else if (command instanceof LogoutCommand logout) {
            logout.file = new CredentialsFile(home.resolve("hangar/config.json"));
        }
        var cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(new dev.hangar.cli.error.ErrorHandler());
        var out = new StringWriter();
        var err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Ran(exit, out.toString(), err.toString());
    }

    @Test
    void aGoodTokenIsStoredMode0600AndNeverEchoed() throws Exception {
        Ran ran = run(new LoginCommand(), GOOD + "\n", "--token-stdin", "--url", url);
        assertEquals(0, ran.exit(), ran.err());
        assertTrue(ran.err().contains("as alice"), ran.err());
        assertFalse((ran.out() + ran.err()).contains(GOOD), "the token is never printed");
        Path file = home.resolve("hangar/config.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        String stored = Files.readString(file);
        assertTrue(stored.contains(GOOD) && stored.contains(url), stored);

        Ran out = run(new LogoutCommand(), "");
        assertEquals(0, out.exit(), out.err());
        assertFalse(Files.readString(file).contains(GOOD));
        assertTrue(Files.readString(file).contains(url), "the URL stays");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aTokenTheGatewayRefusesIsNotStored() {
        Ran ran = run(new LoginCommand(), "hgr_wrong\n", "--token-stdin", "--url", url);
        assertEquals(1, ran.exit());
        assertTrue(ran.err().contains("ERR_UNAUTHORIZED"), ran.err());
        assertFalse(ran.err().contains("hgr_wrong"), ran.err());
        assertFalse(Files.exists(home.resolve("hangar/config.json")));
    }

    @Test
    void withoutATerminalOrStdinThereIsNothingToStore() {
        Ran ran = run(new LoginCommand(), "", "--url", url);
        assertEquals(1, ran.exit());
        assertTrue(ran.err().contains("--token-stdin"), ran.err());
        assertTrue(Main.commandLine().getSubcommands().containsKey("login"));
        assertTrue(Main.commandLine().getSubcommands().get("tokens").getSubcommands().keySet()
                .containsAll(java.util.Set.of("create", "list", "revoke")));
    }
}
