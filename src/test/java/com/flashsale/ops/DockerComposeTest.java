package com.flashsale.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml, the Dockerfile, .dockerignore and nginx/nginx.conf, checked against each other and
 * against the operator's contract: the configuration table of docs/operations.md, the variables the HOCON
 * files and the code read, and the default ports. No Docker engine runs on these machines, so this only reads
 * the files: whether the images build, the containers start and the nodes form a cluster is not tested here.
 * The YAML is read with SnakeYAML, which (like compose) resolves the anchors and merge keys the nodes share.
 */
class DockerComposeTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private static final Set<String> SERVICES = Set.of("postgres", "node1", "node2", "node3", "nginx");
  /** nginx.conf's upstreams: API requests, and SSE streams (which must not use up the requests' max_conns). */
  private static final List<String> UPSTREAMS = List.of("flashsale_nodes", "flashsale_streams");
  private static final String RUNTIME_JAR = "/app/flashsale.jar";
  /** Where the operator's contract lists every setting a node reads. */
  private static final String OPERATIONS_DOC = "docs/operations.md";
  private static final String CONFIGURATION_SECTION = "## Configuration";

  private static final Pattern CONF_VARIABLE = Pattern.compile("\\$\\{\\?(FLASHSALE_[A-Z0-9_]+)}");
  private static final Pattern GETENV_VARIABLE = Pattern.compile("System\\.getenv\\(\"(FLASHSALE_[A-Z0-9_]+)\"\\)");
  /** A whole value that is one compose interpolation: {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME:?error}}. */
  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?}");

  private static Map<String, Object> services;

  @BeforeAll
  static void readCompose() {
    Map<String, Object> compose = new Yaml(new SafeConstructor(new LoaderOptions())).load(read("docker-compose.yml"));
    services = map(compose.get("services"), "services");
  }

  // ---- compose: services and how the nodes are built

  @Test
  void theFiveServicesExist() {
    assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
  }

  @Test
  void everyNodeIsBuiltFromTheRepositoryDockerfileAsOneImage() {
    Set<Object> images = new LinkedHashSet<>();
    for (String node : NODES) {
      Object build = service(node).get("build");
      Object context = build instanceof Map<?, ?> b ? b.get("context") : build;
      assertThat(context).as(node + " build context").isIn(".", "./");
      if (build instanceof Map<?, ?> b && b.containsKey("dockerfile")) {
        assertThat(b.get("dockerfile")).as(node + " dockerfile").isEqualTo("Dockerfile");
      }
      images.add(service(node).get("image"));
    }
    assertThat(images).as("the image name the nodes' build is tagged with (one image, built once)")
        .hasSize(1).doesNotContainNull();
    assertThat(Files.isRegularFile(ROOT.resolve("Dockerfile"))).as("Dockerfile at the repository root").isTrue();
  }

  // ---- compose: the nodes' settings against the operator's contract

  @Test
  void everyVariableTheNodeReadsIsInTheConfigurationTable() {
    Set<String> documented = documentedConfigurationNames();
    Set<String> undocumented = new TreeSet<>(variablesTheNodeReads());
    undocumented.removeIf(variable -> documented.stream().anyMatch(entry -> documents(entry, variable)));
    assertThat(undocumented)
        .as("variables a .conf file or getenv call reads, missing from the configuration table of " + OPERATIONS_DOC)
        .isEmpty();
  }

  @Test
  void everyVariableComposeSetsIsADocumentedSettingTheNodeReads() {
    Set<String> documented = documentedConfigurationNames();
    Set<String> read = variablesTheNodeReads();
    assertThat(read).as("variables found in src/main/resources/*.conf and System.getenv calls")
        .contains("FLASHSALE_HTTP_PORT", "FLASHSALE_SEED_NODES");
    for (String service : services.keySet()) {
      for (String variable : environment(service).keySet()) {
        if (!variable.startsWith("FLASHSALE_")) {
          continue;
        }
        assertThat(read).as(service + " sets " + variable + ", which no .conf file or getenv call reads")
            .contains(variable);
        assertThat(documented.stream().anyMatch(entry -> documents(entry, variable)))
            .as(service + " sets " + variable + ", which the configuration table of " + OPERATIONS_DOC
                + " does not list")
            .isTrue();
      }
    }
  }

  @Test
  void eachNodesClusterHostIsItsNameOnTheInternalClusterNetwork() {
    for (String node : NODES) {
      assertThat(environment(node).get("FLASHSALE_CLUSTER_HOST")).as(node + " FLASHSALE_CLUSTER_HOST")
          .isEqualTo(clusterAlias(node));
    }
  }

  /** A node's alias on the cluster network, which resolves to its address there alone. */
  private static String clusterAlias(String node) {
    Map<String, Object> networks = map(service(node).get("networks"), node + " networks");
    Object aliases = map(networks.get("cluster"), node + " on the cluster network").get("aliases");
    assertThat(aliases).as(node + " aliases on the cluster network").isInstanceOf(List.class);
    assertThat((List<?>) aliases).as(node + " aliases on the cluster network").hasSize(1);
    return ((List<?>) aliases).get(0).toString();
  }

  @Test
  void nginxReachesTheNodesOnlyOnTheEdgeNetworkAndTheClusterNetworkIsInternal() {
    Map<String, Object> networks = map(readComposeRoot().get("networks"), "networks");
    assertThat(networks.keySet()).containsExactlyInAnyOrder("edge", "cluster");
    assertThat(map(networks.get("cluster"), "cluster network").get("internal")).isEqualTo(true);
    assertThat(networkNames("nginx")).containsExactly("edge");
    assertThat(networkNames("postgres")).containsExactly("cluster");
    for (String node : NODES) {
      assertThat(networkNames(node)).as(node + " networks").containsExactlyInAnyOrder("edge", "cluster");
    }
  }

  @Test
  void theNodesBelieveTheClientAddressHeaderFromTheEdgeNetworkOnly() {
    Map<String, Object> edge = map(map(readComposeRoot().get("networks"), "networks").get("edge"), "edge network");
    List<?> subnets = (List<?>) map(edge.get("ipam"), "edge ipam").get("config");
    String subnet = map(subnets.get(0), "edge subnet").get("subnet").toString();
    for (String node : NODES) {
      assertThat(environment(node).get("FLASHSALE_TRUSTED_PROXIES")).as(node + " FLASHSALE_TRUSTED_PROXIES")
          .isEqualTo(subnet);
    }
  }

  @Test
  void eachNodeHasTheClusterKeystoreAsASecret() {
    Map<String, Object> secrets = map(readComposeRoot().get("secrets"), "secrets");
    for (String node : NODES) {
      List<?> mounted = (List<?>) service(node).get("secrets");
      assertThat(mounted).as(node + " secrets").hasSize(1);
      String secret = mounted.get(0).toString();
      assertThat(secrets).as("top-level secrets").containsKey(secret);
      assertThat(environment(node).get("FLASHSALE_CLUSTER_KEYSTORE")).as(node + " FLASHSALE_CLUSTER_KEYSTORE")
          .isEqualTo("/run/secrets/" + secret);
    }
  }

  private static java.util.Collection<String> networkNames(String service) {
    Object networks = service(service).get("networks");
    return networks instanceof List<?> list ? list.stream().map(Object::toString).toList()
        : map(networks, service + " networks").keySet();
  }

  private static Map<String, Object> readComposeRoot() {
    return new Yaml(new SafeConstructor(new LoaderOptions())).load(read("docker-compose.yml"));
  }

  @Test
  void seedNodesAreNodeServicesAtTheirClusterPort() {
    Set<String> seedLists = NODES.stream().map(node -> environment(node).get("FLASHSALE_SEED_NODES"))
        .collect(Collectors.toSet());
    assertThat(seedLists).as("every node has the same FLASHSALE_SEED_NODES").hasSize(1).doesNotContainNull();
    String seeds = seedLists.iterator().next();
    assertThat(seeds.split(",")).as("seed nodes").isNotEmpty();
    for (String seed : seeds.split(",")) {
      String[] hostPort = seed.strip().split(":");
      assertThat(hostPort).as("seed '" + seed + "' is host:port").hasSize(2);
      String node = NODES.stream().filter(n -> clusterAlias(n).equals(hostPort[0])).findFirst().orElse(null);
      assertThat(node).as("seed '" + seed + "' names a node on the cluster network").isNotNull();
      assertThat(hostPort[1]).as("seed '" + seed + "' port is that node's FLASHSALE_CLUSTER_PORT")
          .isEqualTo(environment(node).get("FLASHSALE_CLUSTER_PORT"));
    }
  }

  @Test
  void nodePortsAreTheOperatorContractsDefaults() {
    // The operator's contract (the configuration table of docs/operations.md) names these defaults; the
    // node's own configuration (its HOCON files, without any environment) must have them too.
    Map<String, String> contract = Map.of(
        "FLASHSALE_HTTP_PORT", "8080", "FLASHSALE_CLUSTER_PORT", "25520", "FLASHSALE_MANAGEMENT_PORT", "8558");
    Config node = ConfigFactory.parseResourcesAnySyntax("application").resolve(ConfigResolveOptions.noSystem());
    Map<String, String> nodeDefaults = Map.of(
        "FLASHSALE_HTTP_PORT", node.getString("flashsale.http.port"),
        "FLASHSALE_CLUSTER_PORT", node.getString("akka.remote.artery.canonical.port"),
        "FLASHSALE_MANAGEMENT_PORT", node.getString("akka.management.http.port"));
    assertThat(nodeDefaults).as("the node's default ports").isEqualTo(contract);
    for (Map.Entry<String, String> port : contract.entrySet()) {
      for (String service : NODES) {
        assertThat(environment(service).get(port.getKey())).as(service + " " + port.getKey() + " (the documented default)")
            .isEqualTo(port.getValue());
      }
    }
  }

  @Test
  void theDatabaseUrlNamesThePostgresServiceAndItsDatabase() {
    assertThat(String.valueOf(service("postgres").get("image"))).as("postgres image").startsWith("postgres:");
    Map<String, String> postgres = environment("postgres");
    for (String node : NODES) {
      Map<String, String> env = environment(node);
      URI url = URI.create(env.get("FLASHSALE_DB_URL").replaceFirst("^jdbc:", ""));
      assertThat(url.getScheme()).as(node + " database URL scheme").isEqualTo("postgresql");
      assertThat(url.getHost()).as(node + " database host").isEqualTo("postgres");
      assertThat(url.getPort()).as(node + " database port (PostgreSQL's, in the postgres container)").isEqualTo(5432);
      assertThat(url.getPath()).as(node + " database").isEqualTo("/" + postgres.get("POSTGRES_DB"));
      assertThat(env.get("FLASHSALE_DB_USER")).as(node + " database user").isEqualTo(postgres.get("POSTGRES_USER"));
      assertThat(env.get("FLASHSALE_DB_PASSWORD")).as(node + " database password")
          .isEqualTo(postgres.get("POSTGRES_PASSWORD"));
    }
  }

  @Test
  void productionSecretsComeFromTheOperatorsEnvironment() {
    for (String node : NODES) {
      Map<String, String> env = environment(node);
      assertThat(env.get("FLASHSALE_ENV")).as(node + " FLASHSALE_ENV").isEqualTo("production");
      for (String required : List.of("FLASHSALE_JWT_SECRET", "FLASHSALE_ADMIN_PASSWORD", "FLASHSALE_DB_PASSWORD",
          "FLASHSALE_PAYMENT_GATEWAY", "FLASHSALE_CLUSTER_KEYSTORE_PASSWORD")) {
        Matcher interpolation = interpolation(env.get(required));
        assertThat(interpolation).as(node + " " + required + " is ${" + required + ":?message}").isNotNull();
        assertThat(interpolation.group(1)).as(node + " " + required + " comes from the same variable").isEqualTo(required);
        assertThat(interpolation.group(2)).as(node + " " + required + " is required (:?), with no default").isEqualTo(":?");
      }
    }
    for (String service : services.keySet()) {
      environment(service).forEach((variable, value) -> {
        if (variable.contains("SECRET") || variable.contains("PASSWORD")) {
          assertThat(interpolation(value)).as(service + " " + variable + " comes from the environment, not a literal")
              .isNotNull();
        }
      });
    }
  }

  // ---- compose: health, start order, exposure, shutdown

  @Test
  void postgresNodesAndNginxHaveHealthChecks() {
    assertThat(healthCheck("postgres")).as("postgres health check").contains("pg_isready");
    for (String node : NODES) {
      assertThat(url(healthCheck(node))).as(node + " health check probes /health/ready on its FLASHSALE_HTTP_PORT")
          .isEqualTo(URI.create("http://127.0.0.1:" + environment(node).get("FLASHSALE_HTTP_PORT") + "/health/ready"));
    }
    URI nginx = url(healthCheck("nginx"));
    assertThat(nginx.getPort()).as("nginx health check port: the one it listens on").isEqualTo(nginxListenPort());
    assertThat(nginx.getPath()).as("nginx health check path").startsWith("/health/");
  }

  @Test
  void nodesWaitForAHealthyDatabaseAndNginxForTheNodes() {
    for (String node : NODES) {
      assertThat(dependsOn(node)).as(node + " depends_on").containsEntry("postgres", "service_healthy");
    }
    assertThat(dependsOn("nginx").keySet()).as("nginx depends_on").containsAll(NODES);
  }

  @Test
  void onlyNginxIsPublished() {
    for (String service : List.of("postgres", "node1", "node2", "node3")) {
      assertThat(service(service)).as(service + " publishes no port: nodes are reached through nginx, "
          + "which sets the client IP header their rate limits trust").doesNotContainKey("ports");
    }
  }

  @Test
  void nginxSetsTheClientIpHeaderTheNodesTrust() {
    for (String node : NODES) {
      String header = environment(node).get("FLASHSALE_CLIENT_IP_HEADER");
      assertThat(nginxDirectives()).as("nginx.conf sets " + node + "'s FLASHSALE_CLIENT_IP_HEADER to the client address")
          .contains("proxy_set_header " + header + " $remote_addr");
    }
  }

  @Test
  void nodesHaveTimeToLeaveTheClusterWhenStopped() {
    for (String node : NODES) {
      Object grace = service(node).get("stop_grace_period");
      assertThat(grace).as(node + " stop_grace_period (compose's default is 10s)").isNotNull();
      assertThat(composeDuration(grace.toString())).as(node + " stop_grace_period").isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    }
  }

  // ---- nginx

  @Test
  void nginxPublishes8080AndMountsTheRepositoryNginxConf() {
    assertThat(publishedPorts("nginx")).as("nginx ports (host -> container)")
        .containsEntry(8080, nginxListenPort());
    List<String> mount = volumes("nginx").stream()
        .filter(volume -> volume.get(1).equals("/etc/nginx/nginx.conf")).findFirst()
        .orElseGet(() -> fail("nginx mounts nothing at /etc/nginx/nginx.conf: " + volumes("nginx")));
    assertThat(ROOT.resolve(mount.get(0)).normalize()).as("the mounted file").isEqualTo(ROOT.resolve("nginx/nginx.conf"));
    assertThat(mount.subList(2, mount.size())).as("mount options").contains("ro");
  }

  @Test
  void nginxBalancesExactlyTheNodeServicesAtTheirHttpPort() {
    Set<String> expected = NODES.stream()
        .map(node -> node + ":" + environment(node).get("FLASHSALE_HTTP_PORT")).collect(Collectors.toSet());
    for (String upstream : UPSTREAMS) {
      assertThat(upstreamServers(upstream)).as("servers of upstream " + upstream + " in nginx/nginx.conf")
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(nginxDirectives()).as("nginx.conf proxies to the upstream " + upstream)
          .anyMatch(directive -> directive.equals("proxy_pass http://" + upstream)
              || directive.startsWith("proxy_pass http://" + upstream + "/"));
    }
  }

  // ---- the image

  @Test
  void theImageBuildsTheJarWithTheReadmesPackageCommand() {
    Stage build = buildStage();
    assertThat(build.image()).as("build stage image: Maven on JDK 17").contains("maven").contains("17");
    String command = readmePackageCommand();
    assertThat(build.all("RUN").stream().map(DockerComposeTest::withoutRunOptions))
        .as("a RUN of the build stage is the README's package command").contains(command);
    List<String> copied = build.all("COPY").stream().map(copy -> copy.split("\\s+")[0].replaceAll("/$", "")).toList();
    assertThat(copied).as("the build stage copies what the build reads, so it builds the same jar")
        .containsAll(whatTheBuildReads());
    assertThat(read("pom.xml")).as("the package command's jar is target/flashsale.jar")
        .contains("<finalName>flashsale</finalName>");
  }

  @Test
  void theImageRunsThatJarAsANodeAsANonRootUser() throws IOException {
    Stage runtime = runtimeStage();
    assertThat(runtime.image()).as("runtime stage image: a JRE 17").contains("17").contains("jre");
    String jar = buildStage().workdir() + "/target/flashsale.jar";
    assertThat(runtime.all("COPY")).as("the runtime stage copies the build stage's jar")
        .contains("--from=" + buildStage().name() + " " + jar + " " + RUNTIME_JAR);
    List<String> entrypoint = execForm(runtime.last("ENTRYPOINT"));
    assertThat(entrypoint.get(0)).as("ENTRYPOINT runs java").isEqualTo("java");
    assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).as("ENTRYPOINT ends with -jar")
        .containsExactly("-jar", RUNTIME_JAR);
    assertThat(execForm(runtime.last("CMD"))).as("CMD").containsExactly("node");
    String user = runtime.last("USER");
    assertThat(user).as("USER").isNotBlank().isNotIn("root", "0", "0:0", "root:root");
  }

  @Test
  void theImageExposesThePortsComposeUses() {
    Set<String> exposed = runtimeStage().all("EXPOSE").stream()
        .flatMap(ports -> Stream.of(ports.split("\\s+"))).map(port -> port.replace("/tcp", ""))
        .collect(Collectors.toSet());
    for (String node : NODES) {
      Map<String, String> env = environment(node);
      assertThat(exposed).as("EXPOSE (" + node + "'s HTTP, cluster and management ports)").contains(
          env.get("FLASHSALE_HTTP_PORT"), env.get("FLASHSALE_CLUSTER_PORT"), env.get("FLASHSALE_MANAGEMENT_PORT"));
    }
  }

  @Test
  void theImageInstallsTheProgramTheNodeHealthCheckRuns() {
    String program = healthCheck("node1").get(0);
    assertThat(runtimeStage().all("RUN")).as("a RUN of the runtime stage installs " + program)
        .anyMatch(run -> run.contains("install") && List.of(run.split("\\s+")).contains(program));
  }

  @Test
  void theBuildContextLeavesOutBuildOutputAndLocalData() {
    List<String> ignored = read(".dockerignore").lines().map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    assertThat(ignored).as(".dockerignore").contains("target/", "data/", "gatling/");
    for (String read : whatTheBuildReads()) {
      assertThat(ignored).as(".dockerignore keeps " + read + ", which the build reads").doesNotContain(read, read + "/");
    }
    assertThat(ignored).as(".dockerignore").doesNotContain("*", "**");
  }

  // ---- compose helpers

  private static Map<String, Object> service(String name) {
    assertThat(services).as("services").containsKey(name);
    return map(services.get(name), name);
  }

  /** A service's environment, in either of compose's forms (a map, or a list of NAME=value). */
  private static Map<String, String> environment(String service) {
    Object environment = service(service).get("environment");
    Map<String, String> result = new LinkedHashMap<>();
    if (environment instanceof Map<?, ?> entries) {
      entries.forEach((name, value) -> result.put(name.toString(), value == null ? null : value.toString()));
    } else if (environment instanceof List<?> entries) {
      for (Object entry : entries) {
        String[] nameValue = entry.toString().split("=", 2);
        result.put(nameValue[0], nameValue.length == 2 ? nameValue[1] : null);
      }
    }
    return result;
  }

  /** The words of a service's health check command, without compose's CMD / CMD-SHELL marker. */
  private static List<String> healthCheck(String service) {
    Map<String, Object> healthCheck = map(service(service).get("healthcheck"), service + " healthcheck");
    Object test = healthCheck.get("test");
    List<String> command = test instanceof List<?> list ? list.stream().map(Object::toString).toList() : List.of(String.valueOf(test));
    assertThat(command).as(service + " health check command").isNotEmpty().doesNotContain("NONE");
    if (command.get(0).equals("CMD")) {
      return command.subList(1, command.size());
    }
    String shell = String.join(" ", command.get(0).equals("CMD-SHELL") ? command.subList(1, command.size()) : command);
    return List.of(shell.strip().split("\\s+"));
  }

  private static URI url(List<String> command) {
    return command.stream().filter(word -> word.startsWith("http://")).findFirst().map(URI::create)
        .orElseGet(() -> fail("no http:// URL in " + command));
  }

  /** depends_on as service -> condition (the list form means service_started). */
  private static Map<String, String> dependsOn(String service) {
    Object dependsOn = service(service).get("depends_on");
    Map<String, String> result = new LinkedHashMap<>();
    if (dependsOn instanceof List<?> names) {
      names.forEach(name -> result.put(name.toString(), "service_started"));
    } else if (dependsOn instanceof Map<?, ?> entries) {
      entries.forEach((name, options) -> result.put(name.toString(),
          String.valueOf(map(options, service + " depends_on " + name).get("condition"))));
    }
    return result;
  }

  /** Published ports, host port -> container port (short syntax "[ip:]host:container" or long syntax). */
  private static Map<Integer, Integer> publishedPorts(String service) {
    Map<Integer, Integer> result = new LinkedHashMap<>();
    for (Object port : list(service(service).get("ports"), service + " ports")) {
      if (port instanceof Map<?, ?> longSyntax) {
        result.put(Integer.valueOf(longSyntax.get("published").toString()),
            Integer.valueOf(longSyntax.get("target").toString()));
      } else {
        String[] parts = port.toString().replace("/tcp", "").split(":");
        result.put(Integer.valueOf(parts[parts.length - 2]), Integer.valueOf(parts[parts.length - 1]));
      }
    }
    return result;
  }

  /** Volumes in short syntax, each as [source, target, options...]. */
  private static List<List<String>> volumes(String service) {
    return list(service(service).get("volumes"), service + " volumes").stream()
        .map(volume -> List.of(volume.toString().split(":"))).toList();
  }

  /** The value as one compose interpolation, or null when it is anything else (a literal, say). */
  private static Matcher interpolation(String value) {
    Matcher matcher = INTERPOLATION.matcher(value == null ? "" : value);
    return matcher.matches() ? matcher : null;
  }

  /** A compose duration: "30s", "1m30s", "1m". */
  private static Duration composeDuration(String text) {
    Matcher part = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (part.find() && part.start() == end) {
      long amount = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "s" -> Duration.ofSeconds(amount);
        default -> Duration.ofMillis(amount);
      });
      end = part.end();
    }
    assertThat(end).as("'" + text + "' is a compose duration").isEqualTo(text.length()).isPositive();
    return total;
  }

  // ---- the operator's contract: docs/operations.md, HOCON, code

  /**
   * The first cells of the configuration tables in docs/operations.md, split at " / ": full names and the
   * shorthand suffixes that share the first name's prefix ({@code FLASHSALE_DB_URL / _USER / _PASSWORD}).
   */
  private static Set<String> documentedConfigurationNames() {
    List<String> names = new ArrayList<>();
    for (String row : tableRows(section(read(OPERATIONS_DOC), CONFIGURATION_SECTION))) {
      List<String> cell = List.of(row.split("\\|")[1].replace("`", "").strip().split("\\s+/\\s+"));
      String first = cell.get(0);
      cell.forEach(name -> names.add(name.startsWith("_") ? first + " " + name : name));
    }
    assertThat(names).as("the configuration table of " + OPERATIONS_DOC).isNotEmpty();
    return new LinkedHashSet<>(names);
  }

  /** Whether a table entry ("NAME", or "FIRST _SUFFIX" for a shorthand) documents a variable. */
  private static boolean documents(String entry, String variable) {
    if (!entry.contains(" ")) {
      return entry.equals(variable);
    }
    String first = entry.substring(0, entry.indexOf(' '));
    String suffix = entry.substring(entry.indexOf(' ') + 1);
    if (!variable.endsWith(suffix)) {
      return false;
    }
    String prefix = variable.substring(0, variable.length() - suffix.length());
    return prefix.indexOf('_') > 0 && first.startsWith(prefix + "_");
  }

  /** The FLASHSALE_* names the HOCON files read ({@code ${?NAME}}) and the code reads with System.getenv. */
  private static Set<String> variablesTheNodeReads() {
    Set<String> names = new TreeSet<>();
    for (Path file : files(ROOT.resolve("src/main/resources"), ".conf")) {
      CONF_VARIABLE.matcher(read(file)).results().forEach(match -> names.add(match.group(1)));
    }
    for (Path file : files(ROOT.resolve("src/main/java"), ".java")) {
      GETENV_VARIABLE.matcher(read(file)).results().forEach(match -> names.add(match.group(1)));
    }
    return names;
  }

  /** The lines of a Markdown section, from its heading to the next heading of the same or a higher level. */
  private static List<String> section(String markdown, String heading) {
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    List<String> lines = markdown.lines().toList();
    int start = lines.indexOf(heading);
    assertThat(start).as("section '" + heading + "'").isNotNegative();
    List<String> section = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("#") && (line.startsWith(level) || !line.startsWith(level.strip() + "#"))) {
        break;
      }
      section.add(line);
    }
    return section;
  }

  /** The body rows of the Markdown tables in these lines (no header, no |---| line). */
  private static List<String> tableRows(List<String> lines) {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      boolean row = lines.get(i).startsWith("|");
      boolean header = i + 1 < lines.size() && lines.get(i + 1).startsWith("|---");
      if (row && !header && !lines.get(i).startsWith("|---")) {
        rows.add(lines.get(i));
      }
    }
    return rows;
  }

  /** The README's build command: the mvn ... package command of its Quick start, before any "&&". */
  private static String readmePackageCommand() {
    return read("README.md").lines().map(String::strip)
        .filter(line -> line.startsWith("mvn ") && line.contains(" package"))
        .map(line -> line.split("&&")[0].strip()).findFirst()
        .orElseGet(() -> fail("README.md has no 'mvn ... package' command"));
  }

  // ---- nginx.conf

  /** nginx.conf as its directives (comments dropped, split at ';', '{' and '}', whitespace collapsed). */
  private static List<String> nginxDirectives() {
    String conf = read("nginx/nginx.conf").lines().map(line -> line.replaceAll("#.*", "")).collect(Collectors.joining("\n"));
    List<String> directives = new ArrayList<>();
    for (String token : conf.split("(?<=[;{}])")) {
      String directive = token.replaceAll("\\s+", " ").strip();
      directive = directive.endsWith(";") ? directive.substring(0, directive.length() - 1).strip() : directive;
      if (!directive.isEmpty()) {
        directives.add(directive);
      }
    }
    return directives;
  }

  /** The addresses (host:port) of the server directives in {@code upstream NAME { ... }}. */
  private static Set<String> upstreamServers(String upstream) {
    List<String> directives = nginxDirectives();
    int start = directives.indexOf("upstream " + upstream + " {");
    assertThat(start).as("nginx.conf has 'upstream " + upstream + " {'").isNotNegative();
    Set<String> servers = new LinkedHashSet<>();
    for (String directive : directives.subList(start + 1, directives.size())) {
      if (directive.endsWith("}")) {
        break;
      }
      if (directive.startsWith("server ")) {
        servers.add(directive.split(" ")[1]);
      }
    }
    return servers;
  }

  /** The port of nginx.conf's (one) listen directive. */
  private static int nginxListenPort() {
    Set<Integer> ports = nginxDirectives().stream().filter(directive -> directive.startsWith("listen "))
        .map(directive -> directive.split(" ")[1]).map(address -> address.substring(address.lastIndexOf(':') + 1))
        .map(Integer::valueOf).collect(Collectors.toSet());
    assertThat(ports).as("ports nginx.conf listens on").hasSize(1);
    return ports.iterator().next();
  }

  // ---- Dockerfile

  /** A stage of the Dockerfile: its FROM image and name, its instructions in order as (KEYWORD, arguments). */
  private record Stage(String image, String name, List<Map.Entry<String, String>> instructions) {

    List<String> all(String keyword) {
      return instructions.stream().filter(instruction -> instruction.getKey().equals(keyword))
          .map(Map.Entry::getValue).toList();
    }

    String last(String keyword) {
      List<String> all = all(keyword);
      assertThat(all).as(keyword + " in the stage FROM " + image).isNotEmpty();
      return all.get(all.size() - 1);
    }

    String workdir() {
      return last("WORKDIR");
    }
  }

  /** The Dockerfile's stages: continuation lines joined, comments dropped. */
  private static List<Stage> dockerfileStages() {
    List<String> lines = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : read("Dockerfile").lines().toList()) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      boolean continued = line.endsWith("\\");
      pending.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continued) {
        lines.add(pending.toString().strip());
        pending.setLength(0);
      }
    }
    List<Stage> stages = new ArrayList<>();
    for (String line : lines) {
      if (line.isEmpty()) {
        continue;
      }
      String[] keywordArguments = line.split("\\s+", 2);
      String keyword = keywordArguments[0].toUpperCase();
      String arguments = keywordArguments.length == 2 ? keywordArguments[1].strip() : "";
      if (keyword.equals("FROM")) {
        String[] from = arguments.split("\\s+(?i:as)\\s+");
        stages.add(new Stage(from[0], from.length == 2 ? from[1] : null, new ArrayList<>()));
      } else {
        assertThat(stages).as(keyword + " before any FROM").isNotEmpty();
        stages.get(stages.size() - 1).instructions().add(Map.entry(keyword, arguments));
      }
    }
    return stages;
  }

  private static Stage runtimeStage() {
    List<Stage> stages = dockerfileStages();
    assertThat(stages).as("Dockerfile stages (multi-stage: build, then runtime)").hasSizeGreaterThanOrEqualTo(2);
    return stages.get(stages.size() - 1);
  }

  /** The stage the runtime stage copies its jar from. */
  private static Stage buildStage() {
    String from = runtimeStage().all("COPY").stream().filter(copy -> copy.startsWith("--from="))
        .map(copy -> copy.substring("--from=".length()).split("\\s+")[0]).findFirst()
        .orElseGet(() -> fail("the runtime stage copies nothing from another stage"));
    return dockerfileStages().stream().filter(stage -> from.equals(stage.name())).findFirst()
        .orElseGet(() -> fail("no stage named " + from));
  }

  /** What the Maven build reads: pom.xml, src/, and the top folder of every other directory the pom names. */
  private static Set<String> whatTheBuildReads() {
    Set<String> paths = new LinkedHashSet<>(List.of("pom.xml", "src"));
    Pattern.compile("<directory>([^<$]+)</directory>").matcher(read("pom.xml")).results()
        .map(match -> match.group(1).strip().split("/")[0]).forEach(paths::add);
    return paths;
  }

  /** A RUN's command without its leading options (--mount=..., --network=...). */
  private static String withoutRunOptions(String run) {
    String command = run;
    while (command.startsWith("--")) {
      command = command.split("\\s+", 2)[1];
    }
    return command.strip();
  }

  /** An instruction's exec form: ["java", "-jar", ...]. */
  private static List<String> execForm(String arguments) throws IOException {
    assertThat(arguments).as("exec form (a JSON array), so the process is PID 1 and gets SIGTERM").startsWith("[");
    return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() {});
  }

  // ---- files

  private static String read(String relative) {
    Path file = ROOT.resolve(relative);
    if (!Files.isRegularFile(file)) {
      fail(relative + " is missing at the repository root");
    }
    return read(file);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> files(Path directory, String extension) {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(file -> file.toString().endsWith(extension)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String what) {
    assertThat(value).as(what + " is a mapping").isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  private static List<?> list(Object value, String what) {
    assertThat(value).as(what + " is a list").isInstanceOf(List.class);
    return (List<?>) value;
  }
}
