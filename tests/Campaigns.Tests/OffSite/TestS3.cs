using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

/// <summary>
/// A real S3 API server for one test: s3rver (npm, installed by .ci/run into the git-ignored .tools/s3rver, or named by
/// CAMPAIGNS_TEST_S3RVER) on a free loopback port with a temp directory, started by the test itself. It can be stopped
/// and started again on the same port and directory (the store going away and coming back). Servers whose owning test
/// process is gone are reaped by the next one. In CI (CI=true) these tests fail, never skip, when s3rver is missing.
/// </summary>
public sealed class TestS3 : IDisposable
{
    public const string Variable = "CAMPAIGNS_TEST_S3RVER";
    public const string Bucket = "campaigns-test";
    public const string Key = "S3RVER";

    private static readonly Lock ReapLock = new();
    private static bool _reaped;

    private readonly string _directory;
    private Process? _process;

    public TestS3()
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        Reap();
        _directory = Path.Combine(Path.GetTempPath(), $"campaigns-s3-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(OwnerFile(_directory), System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Port = FreePort();
        Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public static string? Script { get; } = FindScript();

    public static string? UnavailableReason { get; } = Script is null
        ? $"Off-site tests need s3rver@3.7.1: run `npm install --prefix .tools/s3rver s3rver@3.7.1` in the repository (what .ci/run does), or set {Variable} to its bin/s3rver.js."
        : null;

    public static bool ShouldRun => UnavailableReason is null || TestPostgres.IsCi;

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The OffSite settings a host needs to use this server.</summary>
    public Dictionary<string, string?> Settings(string mode = "sync", int writeTimeoutSeconds = 3, string prefix = "campaigns/") => new()
    {
        ["OffSite:Endpoint"] = Endpoint,
        ["OffSite:Bucket"] = Bucket,
        ["OffSite:AccessKeyId"] = Key,
        ["OffSite:SecretAccessKey"] = Key,
        ["OffSite:Region"] = "us-east-1",
        ["OffSite:Prefix"] = prefix,
        ["OffSite:Mode"] = mode,
        ["OffSite:WriteTimeoutSeconds"] = writeTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The same settings as environment variables, for a service started as its own process.</summary>
    public Dictionary<string, string> EnvironmentVariables(string mode = "sync", int writeTimeoutSeconds = 3) =>
        Settings(mode, writeTimeoutSeconds).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    /// <summary>Every object key in the bucket (as files under s3rver's directory).</summary>
    public IReadOnlyList<string> Keys()
    {
        var bucket = Path.Combine(_directory, Bucket);
        return Directory.Exists(bucket)
            ? Directory.EnumerateFiles(bucket, "*._S3rver_object", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(bucket, f)[..^"._S3rver_object".Length].Replace(Path.DirectorySeparatorChar, '/')).Order().ToList()
            : [];
    }

    /// <summary>An object's bytes as the server stored them.</summary>
    public byte[] Read(string key) => File.ReadAllBytes(ObjectPath(key) + "._S3rver_object");

    /// <summary>Removes an object behind the API's back (its bytes, metadata and checksum files).</summary>
    public void Delete(string key)
    {
        foreach (var suffix in new[] { "._S3rver_object", "._S3rver_metadata.json", "._S3rver_object.md5" })
        {
            File.Delete(ObjectPath(key) + suffix);
        }
    }

    private string ObjectPath(string key) => Path.Combine(_directory, Bucket, key.Replace('/', Path.DirectorySeparatorChar));

    public void Start()
    {
        var start = new ProcessStartInfo("node", [Script!, "-d", _directory, "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "--silent",
            "--configure-bucket", Bucket])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        File.WriteAllText(PidFile(_directory), _process.Id.ToString(CultureInfo.InvariantCulture));
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; Thread.Sleep(50))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with code {_process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // not listening yet
            }
        }
    }

    /// <summary>SIGKILL: the store is simply gone (connections refused) until <see cref="Start"/>.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
            File.Delete(OwnerFile(_directory));
            File.Delete(PidFile(_directory));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the next run reaps it
        }
    }

    private static string? FindScript()
    {
        if (System.Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var local = Path.Combine(SolutionPaths.Root, ".tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        return File.Exists(local) ? local : null;
    }

    private static string OwnerFile(string directory) => directory + ".owner";

    private static string PidFile(string directory) => directory + ".pid";

    /// <summary>Servers and directories left by test processes that are gone (killed before their exit hooks ran).</summary>
    private static void Reap()
    {
        lock (ReapLock)
        {
            if (_reaped)
            {
                return;
            }

            _reaped = true;
            foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "campaigns-s3-*"))
            {
                if (ReadPid(OwnerFile(directory)) is { } owner && Processes.IsRunning(owner))
                {
                    continue;
                }

                if (ReadPid(PidFile(directory)) is { } server && Processes.IsRunning(server))
                {
                    using var process = Process.GetProcessById(server);
                    if (process.ProcessName == "node")
                    {
                        process.Kill();
                    }
                }

                try
                {
                    Directory.Delete(directory, recursive: true);
                    File.Delete(OwnerFile(directory));
                    File.Delete(PidFile(directory));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // next time
                }
            }
        }
    }

    private static int? ReadPid(string file) =>
        File.Exists(file) && int.TryParse(File.ReadAllText(file), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A test that needs s3rver: skipped with the reason outside CI when it is missing; in CI it runs and fails.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        if (!TestS3.ShouldRun)
        {
            Skip = TestS3.UnavailableReason;
        }
    }
}
