using System.Globalization;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// Which snapshots stay: every one younger than EveryPointHours, the newest of each day for DailyDays, of each week for
/// WeeklyWeeks, of each month for MonthlyMonths, and always each lineage's newest (a fresh start never costs an earlier
/// lineage its history). A journal entry goes once it is older than the snapshot that restores the oldest "every point"
/// moment of its lineage: nothing restorable is lost with it.
/// </summary>
public sealed class OffSiteRetention(
    IOptions<OffSiteOptions> options, OffSiteStore store, OffSiteHistory history, TimeProvider time, ILogger<OffSiteRetention> logger)
{
    private static readonly TimeSpan ReplayOverlap = TimeSpan.FromMinutes(5);

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        var histories = await history.ListAsync(cancellationToken);
        var doomed = Doomed(histories, time.GetUtcNow(), options.Value.Retention);
        if (doomed.Count > 0)
        {
            await store.DeleteAsync(doomed, cancellationToken);
            logger.LogInformation("Off-site retention removed {Removed} objects from {OffSiteStore}", doomed.Count, store.Name);
        }

        return doomed.Count;
    }

    public static List<string> Doomed(IReadOnlyList<LineageHistory> histories, DateTimeOffset now, OffSiteRetentionOptions retention)
    {
        var everyPointSince = now.AddHours(-retention.EveryPointHours);
        var all = histories.SelectMany(h => h.Snapshots).ToList();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        keep.UnionWith(all.Where(s => s.At >= everyPointSince).Select(s => s.Key));
        keep.UnionWith(histories.Where(h => h.Snapshots.Count > 0).Select(h => h.Snapshots[^1].Key));
        KeepNewestPer(all, s => s.At >= now.AddDays(-retention.DailyDays), s => s.At.UtcDateTime.Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture), keep);
        KeepNewestPer(all, s => s.At >= now.AddDays(-7 * retention.WeeklyWeeks),
            s => $"{ISOWeek.GetYear(s.At.UtcDateTime)}W{ISOWeek.GetWeekOfYear(s.At.UtcDateTime)}", keep);
        KeepNewestPer(all, s => s.At >= now.AddMonths(-retention.MonthlyMonths), s => s.At.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture), keep);

        var doomed = all.Where(s => !keep.Contains(s.Key)).Select(s => s.Key).ToList();
        foreach (var lineage in histories)
        {
            // The snapshot a restore to the oldest "every point" moment starts from; everything it needs comes after it.
            var kept = lineage.Snapshots.Where(s => keep.Contains(s.Key)).ToList();
            var floor = kept.LastOrDefault(s => s.At <= everyPointSince) ?? kept.FirstOrDefault();
            if (floor is null)
            {
                continue;
            }

            doomed.AddRange(lineage.Journal.Where(j => j.At < floor.At - ReplayOverlap).Select(j => j.Key));
        }

        return doomed;
    }

    private static void KeepNewestPer(IEnumerable<OffSitePoint> snapshots, Func<OffSitePoint, bool> inWindow, Func<OffSitePoint, string> period, HashSet<string> keep) =>
        keep.UnionWith(snapshots.Where(inWindow).GroupBy(period).Select(g => g.MaxBy(s => s.Ticks)!.Key));
}
