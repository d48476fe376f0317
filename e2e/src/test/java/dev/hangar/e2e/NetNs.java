package dev.hangar.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace as a test host (INFRA.md): joined to the host by a veth pair with link-local
 * /30 addresses and nothing routed anywhere else. Deleting it takes its veth pair with it; every
 * namespace made here is also deleted by a shutdown hook, so a test that dies leaves no veth*.
 */
final class NetNs implements AutoCloseable {
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(NetNs::delete)));
    }

    final String name;
    final String hostAddress;
    final String nsAddress;
    private final String hostVeth;
    private final List<Process> processes = new CopyOnWriteArrayList<>();

    private NetNs(String name, String hostAddress, String nsAddress, String hostVeth) {
        this.name = name;
        this.hostAddress = hostAddress;
        this.nsAddress = nsAddress;
        this.hostVeth = hostVeth;
    }

    /** A new namespace {@code hangar-pool-<rand>}, its end of the veth at 169.254.N.2/30, the host's at .1. */
    static NetNs create() throws Exception {
        String rand = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
        int octet = 100 + ThreadLocalRandom.current().nextInt(100); // away from other tests' 169.254.77.x
        var ns = new NetNs("hangar-pool-" + rand, "169.254." + octet + ".1", "169.254." + octet + ".2", "vethp" + rand);
        LIVE.add(ns.name);
        String peer = "vethq" + rand;
        ip("netns", "add", ns.name);
        ip("link", "add", ns.hostVeth, "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", ns.name);
        ip("addr", "add", ns.hostAddress + "/30", "dev", ns.hostVeth);
        ip("link", "set", ns.hostVeth, "up");
        ip("-n", ns.name, "addr", "add", ns.nsAddress + "/30", "dev", peer);
        ip("-n", ns.name, "link", "set", peer, "up");
        ip("-n", ns.name, "link", "set", "lo", "up");
        return ns;
    }

    /** The prefix that starts a program inside the namespace (nsenter execs it: its PID is the program's). */
    List<String> enter() {
        return List.of("nsenter", "--net=/run/netns/" + name);
    }

    /**
     * TCP forwarders: on the host, listening on the veth address only, to the host's 127.0.0.1; in
     * the namespace, on its own 127.0.0.1, to the host's veth address. A program in the namespace
     * then uses the usual 127.0.0.1 URLs (and Kafka's advertised 127.0.0.1 listener) and every byte
     * crosses the veth pair. Returns the host side's output ("conn PORT" per connection).
     */
    List<String> forward(int... ports) throws Exception {
        var host = new ArrayList<String>();
        var inside = new ArrayList<String>();
        for (int port : ports) {
            host.add(hostAddress + ":" + port + "=127.0.0.1:" + port);
            inside.add("127.0.0.1:" + port + "=" + hostAddress + ":" + port);
        }
        String script = Stack.ROOT.resolve("e2e/src/test/resources/netns/forward.py").toString();
        var hostLines = new CopyOnWriteArrayList<String>();
        start(concat(List.of("/usr/bin/python3", script), host), hostLines);
        start(concat(concat(enter(), List.of("/usr/bin/python3", script)), inside), new CopyOnWriteArrayList<>());
        return hostLines;
    }

    private void start(List<String> command, List<String> lines) throws Exception {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = reader.readLine();
        if (!"ready".equals(first)) {
            throw new IllegalStateException("forwarder " + command + " did not start: " + first);
        }
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the forwarder ended
            }
        });
    }

    /** The namespace's interfaces and addresses, as {@code ip -br addr} shows them. */
    String addresses() throws Exception {
        return ip("-n", name, "-br", "addr");
    }

    @Override
    public void close() throws Exception {
        for (var p : processes) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        delete(name);
        LIVE.remove(name);
        // the kernel tears a namespace down asynchronously; its veth pair goes with it shortly after
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (hostVethExists() && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        if (hostVethExists()) {
            new ProcessBuilder("ip", "link", "del", hostVeth).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Whether a host interface of this name still exists (it must not, once the namespace is gone). */
    boolean hostVethExists() throws Exception {
        return new ProcessBuilder("ip", "link", "show", hostVeth).redirectErrorStream(true).start().waitFor() == 0;
    }

    private static void delete(String name) {
        try {
            new ProcessBuilder("ip", "netns", "del", name).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort at exit
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static String ip(String... args) throws Exception {
        var command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
