using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using Campaigns.Api.Storage;
using Npgsql;
using Xunit.Sdk;

namespace Campaigns.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests: the one named by CAMPAIGNS_TEST_POSTGRES_URL, or else a throw-away cluster
/// this process creates (initdb + pg_ctl in a temp directory, on a free loopback port) and removes when it exits.
/// Every test gets its own database. In CI (CI=true) PostgreSQL tests always run, so missing binaries fail them.
/// </summary>
public sealed class TestPostgres
{
    public const string UrlVariable = "CAMPAIGNS_TEST_POSTGRES_URL";
    private const string ClusterUser = "campaigns_test";

    private static readonly Lazy<TestPostgres> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly NpgsqlConnectionStringBuilder _admin;

    private TestPostgres(NpgsqlConnectionStringBuilder admin) => _admin = admin;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why no server can be had here, or null when one can.</summary>
    public static string? UnavailableReason { get; } = FindUnavailableReason();

    /// <summary>Outside CI, PostgreSQL tests are skipped when no server can be had; in CI they run (and fail with the reason).</summary>
    public static bool ShouldRun => UnavailableReason is null || IsCi;

    /// <summary>The shared server; the first call starts it. Throws with the reason when there is none.</summary>
    public static TestPostgres Instance => Shared.Value;

    /// <summary>Creates an empty database and returns its URL in the DATABASE_URL form, password included.</summary>
    public string CreateDatabase()
    {
        var name = $"campaigns_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\"");
        return UrlFor(name);
    }

    /// <summary>A database of its own for one test, dropped when disposed.</summary>
    public OwnedDatabase CreateOwnedDatabase() => new(this, CreateDatabase());

    public void DropDatabase(string url)
    {
        var target = DatabaseTarget.ParsePostgresUrl(url, "test database URL");
        NpgsqlConnection.ClearPool(new NpgsqlConnection(DatabaseTarget.PostgreSql(target, "test").ConnectionString));
        Execute($"DROP DATABASE IF EXISTS \"{target.Database}\" WITH (FORCE)");
    }

    private string UrlFor(string database)
    {
        var ssl = _admin.SslMode switch
        {
            SslMode.Require => "?sslmode=require",
            SslMode.Disable => "?sslmode=disable",
            _ => "",
        };
        return $"postgresql://{Uri.EscapeDataString(_admin.Username!)}:{Uri.EscapeDataString(_admin.Password ?? "")}@{_admin.Host}:{_admin.Port}/{database}{ssl}";
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_admin.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static TestPostgres Start()
    {
        if (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url)
        {
            var admin = DatabaseTarget.ParsePostgres(url, UrlVariable);
            admin.Database = "postgres";
            return new TestPostgres(admin);
        }

        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        return LocalCluster.Start();
    }

    private static string? FindUnavailableReason()
    {
        if (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 })
        {
            return null;
        }

        if (LocalCluster.FindBinDirectory() is null)
        {
            return "PostgreSQL tests need PostgreSQL server binaries (initdb, pg_ctl): install them (Debian/Ubuntu: sudo apt-get install -y postgresql) " +
                   $"or set {UrlVariable}=postgresql://user:password@host:port/postgres to a server where that user may create databases.";
        }

        if (LocalCluster.RunsAsRoot && !LocalCluster.UserExists("postgres"))
        {
            return "PostgreSQL refuses to run as root and there is no 'postgres' user to run the test cluster as: create one (useradd -r postgres) " +
                   $"or set {UrlVariable}.";
        }

        return null;
    }

    private static class LocalCluster
    {
        public static bool RunsAsRoot => Environment.UserName == "root";

        public static string? FindBinDirectory()
        {
            var versions = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
                    .OrderByDescending(d => d.version)
                    .Select(d => Path.Combine(d.dir, "bin"))
                : [];
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            return versions.Concat(path).FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
        }

        public static bool UserExists(string user) =>
            File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(line => line.StartsWith(user + ":", StringComparison.Ordinal));

        public static TestPostgres Start()
        {
            var bin = FindBinDirectory()!;
            RemoveAbandonedClusters(bin);
            var dataDir = Path.Combine(Path.GetTempPath(), $"campaigns-pg-{Guid.NewGuid():N}");
            var passwordFile = dataDir + ".pw";
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
            File.WriteAllText(passwordFile, password); // created 0644 under the usual umask, so initdb running as postgres can read it
            var port = FreePort();
            // Written first, so a test run starting meanwhile does not take the new cluster for an abandoned one.
            File.WriteAllText(OwnerFile(dataDir), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

            try
            {
                Run(bin, "initdb", "-D", dataDir, "-U", ClusterUser, $"--pwfile={passwordFile}", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "--no-sync", "--encoding=UTF8", "--locale=C");
            }
            finally
            {
                File.Delete(passwordFile);
            }

            // Durability is pointless for a throw-away cluster; these settings make CREATE DATABASE and commits cheap.
            var options = string.Join(' ',
                $"-p {port}", "-c listen_addresses=127.0.0.1", $"-c unix_socket_directories={dataDir}", "-c fsync=off",
                "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300");
            Run(bin, "pg_ctl", "-D", dataDir, "-l", Path.Combine(dataDir, "server.log"), "-w", "-t", "60", "-o", options, "start");
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(bin, dataDir);

            return new TestPostgres(new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = ClusterUser,
                Password = password,
                Database = "postgres",
                SslMode = SslMode.Disable,
            });
        }

        /// <summary>
        /// Stops the cluster and removes it from a detached shell: the test host may be ended moments after its exit
        /// hooks start, and the shell finishes the job regardless. Whatever is still left is reaped by the next run.
        /// </summary>
        private static void Stop(string bin, string dataDir)
        {
            var pgCtl = $"'{Path.Combine(bin, "pg_ctl")}' -D '{dataDir}' -m immediate -w stop";
            var stop = RunsAsRoot ? $"runuser -u postgres -- {pgCtl}" : pgCtl;
            Process.Start(new ProcessStartInfo("sh", ["-c", $"{stop} > /dev/null 2>&1; rm -rf '{dataDir}' '{OwnerFile(dataDir)}'"])
            {
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            })?.Dispose();
        }

        /// <summary>
        /// Clusters of earlier runs whose test process is gone: the exit hook is best effort (a killed or hurried test
        /// host skips it), so each run stops and removes what earlier ones left behind.
        /// </summary>
        private static void RemoveAbandonedClusters(string bin)
        {
            foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "campaigns-pg-*"))
            {
                var owner = File.Exists(OwnerFile(dir)) && int.TryParse(File.ReadAllText(OwnerFile(dir)), out var pid) ? pid : 0;
                if (owner != 0 && Processes.IsRunning(owner))
                {
                    continue;
                }

                if (File.Exists(Path.Combine(dir, "postmaster.pid")))
                {
                    try
                    {
                        Run(bin, "pg_ctl", "-D", dir, "-m", "immediate", "-w", "stop");
                    }
                    catch (InvalidOperationException)
                    {
                        // Already stopped, or not a cluster after all; removing the directory is what matters.
                    }
                }

                TryDelete(dir);
            }
        }

        private static string OwnerFile(string dataDir) => dataDir + ".owner";

        private static void TryDelete(string dir)
        {
            // The postmaster may still be removing its own files for a moment after pg_ctl returns.
            for (var attempt = 0; attempt < 5 && Directory.Exists(dir); attempt++)
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Thread.Sleep(100); // and if it never goes, the next run removes it
                }
            }

            if (!Directory.Exists(dir))
            {
                File.Delete(OwnerFile(dir));
            }
        }

        /// <summary>PostgreSQL will not run as root (the tests do, here and in CI), so it runs as the postgres user then.</summary>
        private static void Run(string bin, string tool, params string[] arguments)
        {
            var executable = Path.Combine(bin, tool);
            var start = RunsAsRoot
                ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", executable, .. arguments])
                : new ProcessStartInfo(executable, arguments);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.WorkingDirectory = Path.GetTempPath();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} did not finish in 90 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"{tool} failed with exit code {process.ExitCode}: {error.Result}{output.Result}"));
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}

public sealed class OwnedDatabase(TestPostgres server, string url) : IDisposable
{
    public string Url { get; } = url;

    public void Dispose() => server.DropDatabase(Url);
}

/// <summary>A test that needs a PostgreSQL server: skipped with the reason outside CI when none can be had.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestPostgres.ShouldRun)
        {
            Skip = TestPostgres.UnavailableReason;
        }
    }
}

/// <summary>
/// Runs a theory once per database provider, with the given extra arguments after the provider. The PostgreSQL row is
/// left out only where PostgreSQL tests are skipped (outside CI without a server; the [PostgresFact] tests say why).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ProvidersAttribute(params object?[]? arguments) : DataAttribute
{
    // [Providers(null)] passes a null array rather than one null argument.
    private readonly object?[] _arguments = arguments ?? [null];

    public override IEnumerable<object?[]> GetData(MethodInfo testMethod)
    {
        yield return [DatabaseProvider.Sqlite, .. _arguments];
        if (TestPostgres.ShouldRun)
        {
            yield return [DatabaseProvider.PostgreSql, .. _arguments];
        }
    }
}
