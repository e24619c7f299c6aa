using System.CommandLine;
using System.Diagnostics;
using Campaigns.Seed;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Cli;

/// <summary>
/// The built CLI as its own process: for what only a real process shows (its working directory, its environment, the
/// exit code the shell sees). Its stdout and stderr are pipes, so it runs as it does under a script, not a terminal.
/// </summary>
public static class CliProcess
{
    /// <summary>The same command line run in this process (faster), with its output captured.</summary>
    public static async Task<(int Exit, string Output, string Error)> InProcessAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await SeedProgram.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    public static string AssemblyPath => SolutionPaths.BuildOutputOf("Campaigns.Seed", "campaigns-seed.dll");

    public static async Task<(int Exit, string Output, string Error)> RunAsync(
        string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [AssemblyPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var variable in new[] { "DATA_DIR", "Storage__DataDirectory", "RAILWAY_VOLUME_MOUNT_PATH", "DATABASE_URL", "ConnectionStrings__Campaigns" })
        {
            start.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
