using System.Diagnostics;

namespace Campaigns.Tests.Infrastructure;

/// <summary>
/// The built operator CLI as its own process: its exit code is what a script or CI sees, and environment variables
/// (RAILWAY_*, ASPNETCORE_ENVIRONMENT) are its own rather than the test process's.
/// </summary>
public static class SeedProcess
{
    public static string AssemblyPath => SolutionPaths.BuildOutputOf("Campaigns.Seed", "campaigns-seed.dll");

    private static string BuildDirectory => Path.GetDirectoryName(AssemblyPath)!;

    public static Task<(int Exit, string Output, string Error)> RunAsync(IDictionary<string, string>? environment, params string[] args) =>
        RunCommandAsync(BuildDirectory, environment, ["dotnet", AssemblyPath, .. args]);

    /// <summary>From a working directory of the test's choosing: what a relative path or the default data directory resolve against.</summary>
    public static Task<(int Exit, string Output, string Error)> RunInAsync(
        string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        RunCommandAsync(workingDirectory, environment, ["dotnet", AssemblyPath, .. args]);

    /// <summary>As uid/gid 65534 (nobody), through setpriv: a non-root image. Needs root.</summary>
    /// <remarks>
    /// From a copy of the build output that anyone may read: a checkout in a directory only root may enter (as
    /// <c>mktemp -d</c> makes them) would otherwise keep nobody from even loading the CLI.
    /// </remarks>
    public static Task<(int Exit, string Output, string Error)> RunAsNobodyAsync(params string[] args) =>
        RunCommandAsync(ReadableCopy.Value, new Dictionary<string, string> { ["HOME"] = Path.GetTempPath(), ["DOTNET_CLI_HOME"] = Path.GetTempPath() },
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", Path.Combine(ReadableCopy.Value, Path.GetFileName(AssemblyPath)), .. args]);

    private static readonly Lazy<string> ReadableCopy = new(() =>
    {
        var copy = Path.Combine(Path.GetTempPath(), $"campaigns-cli-{Guid.NewGuid():N}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(copy, recursive: true);
        foreach (var file in Directory.EnumerateFiles(BuildDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(BuildDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var directory in Directory.EnumerateDirectories(copy, "*", SearchOption.AllDirectories).Append(copy))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, readable);
            }
        }

        return copy;
    });

    private static async Task<(int Exit, string Output, string Error)> RunCommandAsync(
        string workingDirectory, IDictionary<string, string>? environment, string[] command)
    {
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var name in new[]
                 {
                     "DATA_DIR", "Storage__DataDirectory", "RAILWAY_VOLUME_MOUNT_PATH", "RAILWAY_VOLUME_NAME", "RAILWAY_SERVICE_NAME",
                     "RAILWAY_SERVICE_ID", "DATABASE_URL", "ConnectionStrings__Campaigns",
                 })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

/// <summary>
/// A temporary directory that is its own mount (<c>mount --bind DIR DIR</c>): to the service, a persistent volume.
/// Needs root; unmounted and removed on dispose.
/// </summary>
public sealed class MountedDirectory : IDisposable
{
    private readonly TempDirectory _directory = new("campaigns-volume");

    public MountedDirectory()
    {
        Run("mount", "--bind", Path, Path);
    }

    public string Path => _directory.Path;

    public static bool IsRoot => Environment.UserName == "root" || (OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)));

    public void Dispose()
    {
        Run("umount", Path);
        _directory.Dispose();
    }

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}

/// <summary>Needs root (to bind-mount a directory); skipped with the reason otherwise, never skipped under CI=true.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!MountedDirectory.IsRoot && !ChromiumBrowser.InCi)
        {
            Skip = "Needs root to bind-mount a temporary directory as a volume (mount --bind DIR DIR); skipped because this is not root and CI is not 'true'.";
        }
    }
}
