package io.imago;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.imago.app.App;
import io.imago.config.ConfigException;
import io.imago.config.ConfigLoader;
import io.imago.config.ImagoConfig;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code imago} command. */
@Command(name = "imago", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "An OpenStack Image API v2 (Glance) compatible image service.",
    subcommands = {Main.Serve.class, Main.Config.class, Main.Metadefs.class})
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** Options every subcommand shares: the config file and the most common overrides. */
  static class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
        description = "YAML configuration file (every option: conf/imago.yaml). Without it, built-in defaults.")
    Path config;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (http.port, env IMAGO_HTTP_PORT; default 9292).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS",
        description = "Address to listen on (http.bind, env IMAGO_BIND; default 127.0.0.1).")
    String bind;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Data directory: embedded PostgreSQL, file store (data_dir, env IMAGO_DATA_DIR; default ./data).")
    Path dataDir;

    @Option(names = "--database-url", paramLabel = "URL",
        description = "External PostgreSQL, postgresql://user:password@host:port/db (database.url, env IMAGO_DATABASE_URL)."
            + " Without it Imago runs its own embedded PostgreSQL under the data directory.")
    String databaseUrl;

    ImagoConfig load() {
      return ConfigLoader.load(config, overrides());
    }

    /** The flags given, as dotted-path overrides (they beat the environment and the file). */
    Map<String, String> overrides() {
      Map<String, String> overrides = new HashMap<>();
      if (port != null) {
        overrides.put("http.port", port.toString());
      }
      if (bind != null) {
        overrides.put("http.bind", bind);
      }
      if (dataDir != null) {
        overrides.put("data_dir", dataDir.toString());
      }
      if (databaseUrl != null) {
        overrides.put("database.url", databaseUrl);
      }
      return overrides;
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Run the image service until interrupted (SIGINT/SIGTERM stop it gracefully).")
  static final class Serve implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      ImagoConfig config;
      try {
        config = options.load();
      } catch (ConfigException e) {
        System.err.println("imago: " + e.getMessage());
        return 2;
      }
      configureLogging(config);
      // The hook goes in before the start: a SIGTERM while starting (the embedded PostgreSQL is
      // already up) waits for the start to finish and then stops everything, instead of leaving
      // PostgreSQL running behind a JVM that is gone.
      AtomicReference<App> running = new AtomicReference<>();
      CountDownLatch startDone = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          startDone.await();
          App app = running.get();
          if (app != null) {
            app.close();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          stopped.countDown();
        }
      }, "imago-shutdown"));
      try {
        running.set(App.start(config));
      } catch (ConfigException e) {
        System.err.println("imago: " + e.getMessage());
        return 2;
      } catch (Exception e) {
        // e.g. the port is taken or the data directory is in use: one clear line, the stack
        // trace in the log
        LoggerFactory.getLogger(Main.class).atError().setMessage("start failed").setCause(e).log();
        System.err.println("imago: start failed: " + e);
        return 1;
      } finally {
        startDone.countDown();
      }
      stopped.await();
      return 0;
    }
  }

  @Command(name = "config", mixinStandardHelpOptions = true,
      description = {"Check the configuration (file, environment, flags) and print every option in force as YAML,"
          + " in the layout of conf/imago.yaml (passwords masked); exit 2 if invalid."})
  static final class Config implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() {
      try {
        // builds (and so validates) the whole configuration, as serve would
        System.out.print(yaml(ConfigLoader.effective(options.config, System.getenv(), options.overrides())));
        return 0;
      } catch (ConfigException e) {
        System.err.println("imago: " + e.getMessage());
        return 2;
      }
    }

    /** Dotted paths back into nested YAML sections. */
    static String yaml(Map<String, Object> effective) {
      Map<String, Object> root = new LinkedHashMap<>();
      effective.forEach((path, value) -> {
        String[] parts = path.split("\\.");
        Map<String, Object> node = root;
        for (int i = 0; i < parts.length - 1; i++) {
          @SuppressWarnings("unchecked")
          Map<String, Object> child = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
          node = child;
        }
        Object shown = path.equals("database.url") && value != null ? maskPassword(value.toString()) : value;
        if (path.equals("auth.keystone_authtoken.password") && value != null) {
          shown = "***";
        }
        node.put(parts[parts.length - 1], shown);
      });
      DumperOptions o = new DumperOptions();
      o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
      o.setIndent(2);
      return new Yaml(o).dump(root);
    }

    /** {@code postgresql://user:secret@host/db} → {@code postgresql://user:***@host/db}. */
    static String maskPassword(String url) {
      return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@/]*@", "$1:***@")
          .replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }
  }

  @Command(name = "metadefs", mixinStandardHelpOptions = true,
      description = {"Manage the metadata definitions catalog with Glance's definition files (the JSON files"
          + " glance-manage db_load_metadefs reads, e.g. /usr/share/glance-common/metadefs).",
          "Each command opens the node's database as serve does (with the embedded PostgreSQL, stop the node first),"
              + " on a loopback port of its own, and exits 0 when done, 2 for a bad configuration, 1 on failure."},
      subcommands = {MetadefsLoad.class, MetadefsUnload.class, MetadefsExport.class})
  static final class Metadefs implements Callable<Integer> {
    @Override
    public Integer call() {
      new CommandLine(this).usage(System.out);
      return 0;
    }
  }

  /** Runs {@code work} against the catalog of a node started for the purpose on a loopback port. */
  static int withCatalog(ConfigOptions options, CatalogWork work) {
    ImagoConfig config;
    try {
      Map<String, String> o = options.overrides();
      o.put("http.port", "0");
      o.put("http.bind", "127.0.0.1");
      o.put("logging.access_log", "false");
      config = ConfigLoader.load(options.config, o);
    } catch (ConfigException e) {
      System.err.println("imago: " + e.getMessage());
      return 2;
    }
    configureLogging(config);
    try (App app = App.start(config)) {
      work.run(app.metadefs());
      return 0;
    } catch (Exception e) {
      LoggerFactory.getLogger(Main.class).atError().setMessage("metadefs command failed").setCause(e).log();
      System.err.println("imago: " + e.getMessage());
      return 1;
    }
  }

  interface CatalogWork {
    void run(io.imago.db.MetadefRepository repo) throws Exception;
  }

  @Command(name = "load", mixinStandardHelpOptions = true,
      description = "Load every *.json definition file of DIR (or the file DIR): namespaces that exist already are"
          + " kept, or replaced with --overwrite (glance-manage db_load_metadefs [--merge --overwrite]).")
  static final class MetadefsLoad implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    @CommandLine.Parameters(index = "0", paramLabel = "DIR", description = "Directory of definition files, or one file.")
    Path dir;

    @Option(names = "--overwrite", description = "Replace namespaces that exist (and all they hold).")
    boolean overwrite;

    @Override
    public Integer call() {
      return withCatalog(options, repo -> {
        var docs = io.imago.app.MetadefCatalog.read(dir);
        int n = repo.load(docs, overwrite ? io.imago.db.MetadefRepository.LoadMode.OVERWRITE
            : io.imago.db.MetadefRepository.LoadMode.SKIP).await();
        System.out.println("loaded " + n + " of " + docs.size() + " namespaces from " + dir);
      });
    }
  }

  @Command(name = "unload", mixinStandardHelpOptions = true,
      description = "Delete the whole catalog: every namespace, what it holds, and every resource type"
          + " (glance-manage db_unload_metadefs).")
  static final class MetadefsUnload implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() {
      return withCatalog(options, repo -> {
        repo.unload().await();
        System.out.println("metadefs catalog unloaded");
      });
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write every namespace as a definition file into DIR (glance-manage db_export_metadefs).")
  static final class MetadefsExport implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    @CommandLine.Parameters(index = "0", paramLabel = "DIR", description = "Directory to write the files into.")
    Path dir;

    @Override
    public Integer call() {
      return withCatalog(options, repo -> {
        var files = io.imago.app.MetadefCatalog.write(repo.exportAll().await(), dir);
        System.out.println("exported " + files.size() + " namespaces to " + dir);
      });
    }
  }

  /** Applies logging.format / logging.level before anything logs. */
  static void configureLogging(ImagoConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    if (config.logging().format().equals("json")) {
      URL json = Main.class.getClassLoader().getResource("logback-json.xml");
      if (json != null) {
        try {
          ctx.reset();
          JoranConfigurator jc = new JoranConfigurator();
          jc.setContext(ctx);
          jc.doConfigure(json);
        } catch (Exception e) {
          System.err.println("imago: logging configuration: " + e.getMessage());
        }
      }
    }
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(config.logging().level(), Level.INFO));
    if (!config.logging().accessLog()) {
      ctx.getLogger("io.imago.access").setLevel(Level.OFF);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"imago " + (v == null ? "(development build)" : v)};
    }
  }
}
