using System.Diagnostics;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Contract;

/// <summary>
/// The npm tools of tests/contract (redocly, openapi-typescript, tsc, openapi-fetch), installed there by .ci/run
/// (<c>npm ci --prefix tests/contract</c>) and git-ignored.
/// </summary>
public static class ContractTools
{
    public static string Directory { get; } = Path.Combine(SolutionPaths.Root, "tests", "contract");

    public static string Bin(string tool) => Path.Combine(Directory, "node_modules", ".bin", tool);

    /// <summary>Outside CI a machine without the tools skips these tests; in CI they run and fail instead.</summary>
    public static string? SkipReason => File.Exists(Bin("redocly")) || ChromiumBrowser.InCi
        ? null
        : $"Contract tools missing: run 'npm ci --prefix tests/contract' (needs node and npm); skipped because CI is not 'true'.";

    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, string arguments, TimeSpan? timeout = null)
    {
        var path = Bin(tool);
        Assert.True(File.Exists(path), $"{path} is missing: .ci/run installs it with 'npm ci --prefix tests/contract'.");
        return await RunProcessAsync(path, arguments, timeout);
    }

    public static async Task<(int ExitCode, string Output)> RunProcessAsync(string fileName, string arguments, TimeSpan? timeout = null)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["NO_COLOR"] = "1", ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {arguments} did not finish in time:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }
}

/// <summary>A test that runs the npm contract tools; skipped (with the reason) only when they are missing outside CI.</summary>
public sealed class ContractFactAttribute : FactAttribute
{
    public ContractFactAttribute()
    {
        if (ContractTools.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
