using System.CommandLine;
using System.Globalization;
using Campaigns.Api.Backups;
using Campaigns.Api.Restores;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.OffSite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Seed.Commands;

/// <summary>offsite list|verify, and the --at of `restore offsite`: the operator's view of the off-site copies.</summary>
public static class OffSiteCommands
{
    public static Option<string?> AtOption() => new("--at")
    {
        Description = "With 'offsite': the moment to restore, ISO-8601 UTC (such as 2026-12-01T20:30:00Z); the newest state when omitted.",
    };

    /// <summary>The moment, checked like the API checks it (not in the future, not before the oldest kept point), in round-trip form.</summary>
    public static async Task<string?> CheckedAtAsync(IServiceProvider services, string? at, CancellationToken cancellationToken) =>
        (await services.GetRequiredService<OffSiteRestorer>().CheckAtAsync(at, cancellationToken))?.ToString("O", CultureInfo.InvariantCulture);

    public static Command Create()
    {
        var listDir = CliHost.DataDirectoryOption();
        var list = new Command("list", "List the off-site lineages, their snapshots, the journal's span and sizes.") { listDir };
        list.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, listDir, async (services, output) =>
        {
            foreach (var lineage in await Histories(services, cancellationToken))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"lineage {lineage.Lineage}  {lineage.Snapshots.Count} snapshots  {lineage.Journal.Count} journal entries  {lineage.Bytes} bytes  " +
                    $"from {lineage.Oldest:yyyy-MM-ddTHH:mm:ss.fffZ} to {lineage.Newest:yyyy-MM-ddTHH:mm:ss.fffZ}"));
                foreach (var snapshot in lineage.Snapshots)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  snapshot {snapshot.At:yyyy-MM-ddTHH:mm:ss.fffffffZ}  {snapshot.Size,10} bytes  {snapshot.Key}"));
                }

                if (lineage.Journal.Count > 0)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  journal  {lineage.Journal[0].At:yyyy-MM-ddTHH:mm:ss.fffZ} .. {lineage.Journal[^1].At:yyyy-MM-ddTHH:mm:ss.fffZ}  {lineage.Journal.Sum(j => j.Size)} bytes"));
                }
            }

            return ExitCodes.Ok;
        }));

        var verifyDir = CliHost.DataDirectoryOption();
        var verify = new Command("verify", "Rebuild each lineage's newest state from the store: hashes checked, the database opened, quick_check, campaigns counted. Exit 1 if any fails.") { verifyDir };
        verify.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, verifyDir, async (services, output) =>
        {
            if (services.GetRequiredService<OffSitePostgresCopies>().Enabled)
            {
                return await VerifyPostgresAsync(services, output, cancellationToken);
            }

            var history = services.GetRequiredService<OffSiteHistory>();
            var failed = 0;
            foreach (var lineage in await Histories(services, cancellationToken))
            {
                if (OffSiteHistory.Plan([lineage], at: null) is not { } plan)
                {
                    output.WriteLine($"none    {lineage.Lineage}: no snapshot");
                    continue;
                }

                var path = Path.Combine(Path.GetTempPath(), $"campaigns-offsite-verify-{Guid.NewGuid():N}.db");
                try
                {
                    var built = await history.BuildAsync(plan, path, cancellationToken);
                    string? problem;
                    using (var copy = SqliteFile.Open(path, SqliteOpenMode.ReadOnly))
                    {
                        var check = SqliteFile.Check(copy, quick: true);
                        problem = check == "ok" ? null : $"quick_check: {check}";
                    }

                    output.WriteLine(problem is null
                        ? string.Create(CultureInfo.InvariantCulture, $"ok      {lineage.Lineage}: state as of {plan.StateAt:O}, {built.Campaigns} campaigns ({built.Active} active), quick_check ok{(built.Skipped > 0 ? $", {built.Skipped} unconfirmed journal entries left out" : "")}")
                        : $"FAILED  {lineage.Lineage}: {problem}");
                    failed += problem is null ? 0 : 1;
                }
                catch (Exception ex) when (ex is OffSiteStoreException or UnusableSnapshotException or SqliteException)
                {
                    output.WriteLine($"FAILED  {lineage.Lineage}: {ex.Message}");
                    failed++;
                }
                finally
                {
                    SqliteConnection.ClearAllPools();
                    File.Delete(path);
                }
            }

            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }));

        return new Command("offsite", "The off-site copies in the S3-compatible store (section OffSite).") { list, verify };
    }

    /// <summary>On PostgreSQL: the newest off-site snapshot downloaded, its hash checked, read and validated like a local snapshot backup.</summary>
    private static async Task<int> VerifyPostgresAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"campaigns-offsite-verify-{Guid.NewGuid():N}.json");
        try
        {
            if (await services.GetRequiredService<OffSitePostgresCopies>().DownloadNewestAsync(path, cancellationToken) is not { } newest)
            {
                output.WriteLine($"none    {OffSiteLayout.PostgresLineage}: no snapshot");
                return ExitCodes.Ok;
            }

            var problem = services.GetRequiredService<BackupVerifier>().CheckSnapshot(path, out var contents);
            output.WriteLine(problem is null
                ? string.Create(CultureInfo.InvariantCulture, $"ok      {newest.Key}: snapshot of {newest.At:O}, {contents!.TotalCampaigns} campaigns ({contents.ActiveCampaigns} active)")
                : $"FAILED  {newest.Key}: {problem}");
            return problem is null ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (OffSiteStoreException ex)
        {
            output.WriteLine($"FAILED  {OffSiteLayout.PostgresLineage}: {ex.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>SQLite: every lineage; PostgreSQL: its one list of snapshots.</summary>
    private static async Task<List<LineageHistory>> Histories(IServiceProvider services, CancellationToken cancellationToken)
    {
        var history = services.GetRequiredService<OffSiteHistory>();
        if (services.GetRequiredService<OffSitePostgresCopies>().Enabled)
        {
            return [await history.ReadAsync(OffSiteLayout.PostgresLineage, cancellationToken)];
        }

        if (!services.GetRequiredService<OffSiteRestorer>().Enabled)
        {
            throw new OffSiteOffException();
        }

        return await history.ListAsync(cancellationToken);
    }
}
