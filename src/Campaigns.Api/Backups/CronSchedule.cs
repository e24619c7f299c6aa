using Cronos;

namespace Campaigns.Api.Backups;

/// <summary>
/// <c>Backups:Schedule</c> as a 5-field UTC cron expression (the form Hangfire accepts), parsed with Cronos so it can
/// be validated at start and its interval used by the health report.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _cron;

    private CronSchedule(string expression, CronExpression cron)
    {
        Expression = expression;
        _cron = cron;
    }

    public string Expression { get; }

    public static bool TryParse(string? expression, out CronSchedule? schedule, out string? error)
    {
        schedule = null;
        try
        {
            var trimmed = (expression ?? "").Trim();
            schedule = new CronSchedule(trimmed, CronExpression.Parse(trimmed, CronFormat.Standard));
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{expression}' is not a 5-field cron expression (minute hour day-of-month month day-of-week, UTC): {ex.Message}";
            return false;
        }
    }

    public static CronSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule! : throw new FormatException(error);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _cron.GetNextOccurrence(after, TimeZoneInfo.Utc);

    /// <summary>The gap between the next two occurrences: how often a backup is expected.</summary>
    public TimeSpan Interval(DateTimeOffset now)
    {
        var first = NextAfter(now);
        var second = first is null ? null : NextAfter(first.Value);
        return first is null || second is null ? TimeSpan.FromDays(365) : second.Value - first.Value;
    }
}
