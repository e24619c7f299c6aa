using System.CommandLine;
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

    public static Task<(int Exit, string Output, string Error)> RunAsync(
        string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        SeedProcess.RunInAsync(workingDirectory, environment, args);
}
