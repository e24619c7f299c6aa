using System.CommandLine;
using System.Text.Json;
using Campaigns.Api.Doctor;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Seed.Commands;

/// <summary><c>doctor</c>: will the data survive the next deploy? Exit 0 safe (warnings allowed), 1 at risk, 2 usage error.</summary>
public static class DoctorCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var dataDir = CliHost.DataDirectoryOption();
        var json = new Option<bool>("--json") { Description = "Write the report as JSON (verdict, exitCode, findings with check, state, detail, fix) for scripts and CI." };
        var command = new Command("doctor",
            "Check whether the data survives the next deploy: storage and volume, Railway settings, database, seed, backups and a restore drill of the newest backup. " +
            "Exit 0 safe (warnings allowed), 1 data at risk, 2 usage error.")
        {
            dataDir,
            json,
        };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            // The service reads ASPNETCORE_ENVIRONMENT; judge the deploy by the same environment it will run in.
            var environment = NonEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")) ?? NonEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"));
            var report = await services.GetRequiredService<DoctorService>()
                .RunAsync(new DoctorRequest(RunDrill: true, environment, parse.GetValue(dataDir)), cancellationToken);
            var exitCode = report.Safe ? ExitCodes.Ok : ExitCodes.Failed;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new { report.Verdict, ExitCode = exitCode, report.Summary, report.CheckedAt, report.Findings }, Json));
            }
            else
            {
                Write(report, output);
            }

            return exitCode;
        }));
        return command;
    }

    private static void Write(DoctorReport report, TextWriter output)
    {
        var width = report.Findings.Max(f => f.Check.Length);
        foreach (var finding in report.Findings)
        {
            var state = finding.State switch
            {
                DoctorState.Ok => "ok",
                DoctorState.Warning => "warning",
                _ => "AT RISK",
            };
            output.WriteLine($"{state,-8} {finding.Check.PadRight(width)}  {finding.Detail}");
            if (finding.Fix is { } fix)
            {
                output.WriteLine($"{"",-8} {"".PadRight(width)}  fix: {fix}");
            }
        }

        output.WriteLine();
        output.WriteLine(report.Summary);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
