package dev.hangar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manifests in this folder, read as the Kubernetes API server would: every document must be
 * a known API type whose fields all exist in that type's schema (fabric8's model is generated
 * from the Kubernetes OpenAPI definitions; a misspelt field lands in its additionalProperties,
 * which must stay empty), and the objects must fit together — selectors select their pods,
 * Services reach a named port, every referenced ConfigMap, Secret and key exists, and each Hangar
 * service gets the settings it really reads.
 */
class ManifestsTest {
    static final Path DIR = Path.of("").toAbsolutePath();
    static final Path ROOT = DIR.getParent().getParent();
    static final ObjectMapper YAML = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);
    /** Settings a Hangar service reads from its environment: {@code ${NAME} or ${NAME:default}} in its properties. */
    static final Pattern READS = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

    record Doc(String file, JsonNode tree, HasMetadata object) {}

    /** A pod template with what owns it. */
    record Workload(String name, LabelSelector selector, PodTemplateSpec template) {}

    static List<Doc> docs;
    static List<Workload> workloads;

    @BeforeAll
    static void read() throws IOException {
        docs = new ArrayList<>();
        for (Path file : manifests()) {
            try (var parser = YAML.createParser(file.toFile())) {
                for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                    JsonNode tree = it.next();
                    if (tree == null || tree.isEmpty()) {
                        continue;
                    }
                    String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
                    Class<? extends HasMetadata> kind = KINDS.get(type);
                    assertNotNull(kind, file.getFileName() + ": unknown or unchecked type " + type);
                    docs.add(new Doc(file.getFileName().toString(), tree, YAML.treeToValue(tree, kind)));
                }
            }
        }
        workloads = new ArrayList<>();
        for (Doc d : docs) {
            if (d.object() instanceof Deployment dep) {
                workloads.add(new Workload(name(d), dep.getSpec().getSelector(), dep.getSpec().getTemplate()));
            } else if (d.object() instanceof StatefulSet set) {
                workloads.add(new Workload(name(d), set.getSpec().getSelector(), set.getSpec().getTemplate()));
            }
        }
    }

    static List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    @Test
    void everyFieldExistsInItsTypesSchema() {
        var problems = new ArrayList<String>();
        for (Doc d : docs) {
            unknownFields(d.object(), d.file() + ":" + name(d), problems, new IdentityHashMap<>());
        }
        assertEquals(List.of(), problems);
        assertTrue(docs.size() >= 20, "all documents were read: " + docs.size());
    }

    @Test
    void theKustomizationListsEveryManifestAndEveryObjectIsInTheNamespace() throws IOException {
        JsonNode k = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        var listed = new TreeSet<String>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        assertEquals(manifests().stream().map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)), listed);
        for (Doc d : docs) {
            if (!(d.object() instanceof Namespace)) {
                assertEquals("hangar", d.object().getMetadata().getNamespace(), d.file() + ":" + name(d));
            }
        }
    }

    @Test
    void workloadsSelectTheirOwnPods() {
        assertFalse(workloads.isEmpty());
        for (Workload w : workloads) {
            var labels = w.template().getMetadata().getLabels();
            w.selector().getMatchLabels().forEach((key, value) ->
                    assertEquals(value, labels.get(key), w.name() + ": the selector " + key + "=" + value + " does not match its pods"));
        }
    }

    @Test
    void everyContainerHasProbesRequestsAndAMemoryLimit() {
        for (Workload w : workloads) {
            for (Container c : w.template().getSpec().getContainers()) {
                String where = w.name() + "/" + c.getName();
                assertNotNull(c.getReadinessProbe(), where + " readiness probe");
                assertNotNull(c.getLivenessProbe(), where + " liveness probe");
                assertNotNull(c.getResources().getRequests().get("cpu"), where + " cpu request");
                assertNotNull(c.getResources().getRequests().get("memory"), where + " memory request");
                assertNotNull(c.getResources().getLimits().get("memory"), where + " memory limit");
            }
        }
    }

    @Test
    void everyServiceReachesANamedPortOfItsPods() {
        for (Doc d : docs) {
            if (d.object() instanceof Service s) {
                var selector = s.getSpec().getSelector();
                var targets = workloads.stream()
                        .filter(w -> selector.entrySet().stream()
                                .allMatch(e -> e.getValue().equals(w.template().getMetadata().getLabels().get(e.getKey()))))
                        .toList();
                assertFalse(targets.isEmpty(), "Service " + name(d) + " selects no pods");
                for (var port : s.getSpec().getPorts()) {
                    String target = port.getTargetPort().getStrVal();
                    assertTrue(targets.stream().flatMap(w -> w.template().getSpec().getContainers().stream())
                                    .flatMap(c -> c.getPorts().stream()).anyMatch(p -> target.equals(p.getName())),
                            "Service " + name(d) + " targets port '" + target + "' that its pods do not name");
                }
            }
        }
    }

    @Test
    void everyReferencedConfigMapSecretAndKeyExists() {
        Map<String, Set<String>> configMaps = new java.util.HashMap<>();
        Map<String, Set<String>> secrets = new java.util.HashMap<>();
        for (Doc d : docs) {
            if (d.object() instanceof ConfigMap cm) {
                configMaps.put(name(d), cm.getData().keySet());
            } else if (d.object() instanceof Secret s) {
                secrets.put(name(d), s.getStringData().keySet());
            }
        }
        for (Workload w : workloads) {
            var spec = w.template().getSpec();
            for (Container c : spec.getContainers()) {
                for (var from : c.getEnvFrom()) {
                    if (from.getConfigMapRef() != null) {
                        assertTrue(configMaps.containsKey(from.getConfigMapRef().getName()), w.name() + " envFrom " + from);
                    }
                    if (from.getSecretRef() != null) {
                        assertTrue(secrets.containsKey(from.getSecretRef().getName()), w.name() + " envFrom " + from);
                    }
                }
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        assertTrue(secrets.getOrDefault(ref.getName(), Set.of()).contains(ref.getKey()),
                                w.name() + ": secret key " + ref.getName() + "/" + ref.getKey());
                    }
                }
            }
            for (var v : spec.getVolumes()) {
                if (v.getConfigMap() != null) {
                    assertTrue(configMaps.containsKey(v.getConfigMap().getName()), w.name() + " volume " + v.getName());
                }
            }
        }
    }

    /**
     * Each Hangar service is given what it reads and nothing it doesn't: every variable set on its
     * container is one its application.properties reads (or a QUARKUS_ setting), every shared
     * config key is read by some service, and every variable whose default only works on a
     * developer machine (127.0.0.1, a development key, a password) is set.
     */
    @Test
    void eachHangarServiceGetsTheSettingsItReads() throws IOException {
        var sharedKeys = new TreeSet<String>();
        var readBySome = new HashSet<String>();
        for (Doc d : docs) {
            if (d.object() instanceof ConfigMap cm && name(d).equals("hangar-config")) {
                sharedKeys.addAll(cm.getData().keySet());
            } else if (d.object() instanceof Secret s && name(d).equals("hangar-secrets")) {
                sharedKeys.addAll(s.getStringData().keySet());
            }
        }
        int services = 0;
        for (Workload w : workloads) {
            for (Container c : w.template().getSpec().getContainers()) {
                if (!c.getImage().startsWith("hangar/")) {
                    continue;
                }
                services++;
                String module = c.getImage().substring("hangar/".length(), c.getImage().indexOf(':'));
                Map<String, String> reads = reads(module);
                readBySome.addAll(reads.keySet());
                var given = new TreeSet<String>();
                c.getEnv().forEach(e -> given.add(e.getName()));
                for (String name : given) {
                    assertTrue(name.startsWith("QUARKUS_") || reads.containsKey(name),
                            w.name() + " sets " + name + ", which " + module + " does not read");
                }
                if (!c.getEnvFrom().isEmpty()) {
                    given.addAll(sharedKeys);
                }
                reads.forEach((name, fallback) -> {
                    boolean onlyLocal = fallback == null || fallback.contains("127.0.0.1") || fallback.startsWith("local-")
                            || name.endsWith("_PASSWORD") || name.endsWith("_KEY") || name.endsWith("_TOKEN");
                    if (onlyLocal && !name.equals("HANGAR_BOOTSTRAP_TOKENS") || name.equals("HANGAR_DB_URL")) {
                        assertTrue(given.contains(name), w.name() + " does not set " + name + " (its default '" + fallback
                                + "' only works on a developer machine)");
                    }
                });
            }
        }
        assertEquals(5, services, "gateway, registry, storage, executor and the GPU executor");
        sharedKeys.removeIf(k -> k.startsWith("QUARKUS_") || readBySome.contains(k));
        assertEquals(Set.of(), sharedKeys, "shared settings no service reads");
    }

    @Test
    void hangarPodsRunUnprivilegedAndReplicasHaveTheirOwnIds() {
        for (Workload w : workloads) {
            var pod = w.template().getSpec();
            for (Container c : pod.getContainers()) {
                if (!c.getImage().startsWith("hangar/")) {
                    continue;
                }
                assertTrue(pod.getSecurityContext().getRunAsNonRoot(), w.name() + " runAsNonRoot");
                assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), w.name());
                assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), w.name());
                assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), w.name() + " needs no API token");
                String idVar = w.name().startsWith("gateway") ? "HANGAR_GATEWAY_ID" : w.name().startsWith("executor") ? "HANGAR_EXECUTOR_ID" : null;
                if (idVar != null) {
                    var id = c.getEnv().stream().filter(e -> e.getName().equals(idVar)).findFirst().orElseThrow();
                    assertEquals("metadata.name", id.getValueFrom().getFieldRef().getFieldPath(),
                            w.name() + ": every replica needs its own " + idVar + " (its own consumer group)");
                }
            }
        }
    }

    @Test
    void gpuExecutorsRequestGpusOnGpuNodesOnly() {
        var gpu = workloads.stream().filter(w -> w.name().equals("executor-gpu")).findFirst().orElseThrow();
        var pod = gpu.template().getSpec();
        var resources = pod.getContainers().get(0).getResources();
        assertEquals("1", resources.getRequests().get("nvidia.com/gpu").getAmount());
        assertEquals("1", resources.getLimits().get("nvidia.com/gpu").getAmount());
        assertEquals("true", pod.getNodeSelector().get("nvidia.com/gpu.present"));
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())));
        var env = pod.getContainers().get(0).getEnv();
        String pool = env.stream().filter(e -> e.getName().equals("HANGAR_EXECUTOR_POOL")).findFirst().orElseThrow().getValue();
        assertEquals("1", env.stream().filter(e -> e.getName().equals("HANGAR_EXECUTOR_CAPACITY_GPUS")).findFirst().orElseThrow().getValue(),
                "the executor hands out the GPU its pod holds");
        String pools = docs.stream().filter(d -> d.object() instanceof ConfigMap && name(d).equals("hangar-config"))
                .map(d -> ((ConfigMap) d.object()).getData().get("HANGAR_REMOTE_POOLS")).findFirst().orElseThrow();
        assertTrue(List.of(pools.split(",")).contains(pool), "the gateway routes remote runs to the GPU executors' pool " + pool);
        var cpu = workloads.stream().filter(w -> w.name().equals("executor-service")).findFirst().orElseThrow();
        assertFalse(cpu.template().getSpec().getContainers().get(0).getResources().getRequests().containsKey("nvidia.com/gpu"));
    }

    /** NAME → its default (null when none) for every {@code ${NAME...}} in the module's application.properties. */
    static Map<String, String> reads(String module) throws IOException {
        Path props = ROOT.resolve(module).resolve("src/main/resources/application.properties");
        var reads = new java.util.HashMap<String, String>();
        for (String line : Files.readAllLines(props)) {
            if (line.startsWith("#") || line.startsWith("%")) {
                continue;
            }
            var m = READS.matcher(line);
            while (m.find()) {
                reads.put(m.group(1), m.group(2));
            }
        }
        assertFalse(reads.isEmpty(), props + " reads no environment variable");
        return reads;
    }

    static String name(Doc d) {
        return d.object().getMetadata().getName();
    }

    /** Walks fabric8's model objects; any additionalProperties entry is a field the schema does not have. */
    static void unknownFields(Object o, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", problems, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": not in the schema: " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + m.getName().substring(3), problems, seen);
            }
        }
    }
}
