using Campaigns.Api.Storage;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Campaigns.Tests.Infrastructure;

/// <summary>
/// The built service as a separate OS process on a loopback port: for what only a real process shows (exit codes,
/// kill -9, a second process on the same files).
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string ApiAssemblyPath => SolutionPaths.BuildOutputOf("Campaigns.Api", "Campaigns.Api.dll");

    public static ApiProcess Start(string dataDirectory, IDictionary<string, string>? environment = null, string aspnetEnvironment = "Development")
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [ApiAssemblyPath, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ApiAssemblyPath)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = aspnetEnvironment;
        start.Environment["DATA_DIR"] = dataDirectory;
        start.Environment["ADMIN_API_KEY"] = CampaignsApiFactory.AdminKey;
        start.Environment.Remove("RAILWAY_VOLUME_MOUNT_PATH");
        start.Environment.Remove("PORT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
    }

    public HttpClient CreateClient(bool admin = false)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (admin)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", CampaignsApiFactory.AdminKey);
        }

        return client;
    }

    /// <summary>
    /// Waits until the startup sequence has finished: the server listens before that, so the probe is a request the
    /// startup gate holds back. Fails with the process output if it exits or times out.
    /// </summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        // A generous per-request timeout: the first request after startup can be slow on a loaded machine, and a probe the
        // client abandons is wasted (the service logs it as a 499).
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120)); // generous: six builds and test runs may share the machine
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/api/campaigns?limit=1");
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable
                    || !(await response.Content.ReadAsStringAsync()).Contains($"\"title\":\"{StartupGate.Title}\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The API was not ready in time:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what a crash or an OOM kill does.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public static class SolutionPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build output of a project in the same configuration as the tests (Debug or Release).</summary>
    public static string BuildOutputOf(string project, string file)
    {
        var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar); // .../tests/Campaigns.Tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(testBin).Parent!.Name;
        var path = Path.Combine(Root, "src", project, "bin", configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first; expected {path}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Campaigns.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Campaigns.sln not found above the test output directory");
    }
}
