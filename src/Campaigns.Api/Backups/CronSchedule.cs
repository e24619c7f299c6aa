namespace Campaigns.Api.Backups;

/// <summary>
/// The standard 5-field cron subset (numbers, <c>*</c>, ranges, steps, lists; UTC) that Hangfire also accepts.
/// Hangfire keeps its cron parser internal, and we need one to validate <c>Backups:Schedule</c> at start and to know
/// the schedule's interval for the health report.
/// </summary>
public sealed class CronSchedule
{
    private static readonly (string Name, int Min, int Max)[] Fields =
        [("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7)];

    private readonly bool[][] _allowed;
    private readonly bool _anyDayOfMonth;
    private readonly bool _anyDayOfWeek;

    private CronSchedule(string expression, bool[][] allowed, bool anyDayOfMonth, bool anyDayOfWeek)
    {
        Expression = expression;
        _allowed = allowed;
        _anyDayOfMonth = anyDayOfMonth;
        _anyDayOfWeek = anyDayOfWeek;
    }

    public string Expression { get; }

    public static bool TryParse(string? expression, out CronSchedule? schedule, out string? error)
    {
        schedule = null;
        var parts = (expression ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != Fields.Length)
        {
            error = $"'{expression}' must have 5 fields (minute hour day-of-month month day-of-week), in UTC.";
            return false;
        }

        var allowed = new bool[Fields.Length][];
        for (var i = 0; i < Fields.Length; i++)
        {
            var (name, min, max) = Fields[i];
            allowed[i] = new bool[max + 1];
            foreach (var item in parts[i].Split(','))
            {
                if (!TryParseItem(item, min, max, allowed[i]))
                {
                    error = $"'{expression}': the {name} field '{parts[i]}' is not valid (allowed {min}-{max}, '*', ranges a-b, steps /n, lists).";
                    return false;
                }
            }
        }

        allowed[4][0] |= allowed[4][7]; // 7 is Sunday too
        schedule = new CronSchedule(string.Join(' ', parts), allowed, parts[2] == "*", parts[4] == "*");
        error = null;
        return true;
    }

    public static CronSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule! : throw new FormatException(error);

    /// <summary>The first occurrence strictly after <paramref name="after"/> (UTC, minute precision), within five years.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var t = new DateTimeOffset(after.UtcDateTime.Ticks - after.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!_allowed[3][t.Month] || !DayMatches(t))
            {
                t = new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
                continue;
            }

            if (!_allowed[1][t.Hour])
            {
                t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
                continue;
            }

            if (_allowed[0][t.Minute])
            {
                return t;
            }

            t = t.AddMinutes(1);
        }

        return null;
    }

    /// <summary>The gap between the next two occurrences: how often a backup is expected.</summary>
    public TimeSpan Interval(DateTimeOffset now)
    {
        var first = NextAfter(now);
        var second = first is null ? null : NextAfter(first.Value);
        return first is null || second is null ? TimeSpan.FromDays(365) : second.Value - first.Value;
    }

    // Classic cron: when both day fields are restricted, either one matching is enough.
    private bool DayMatches(DateTimeOffset t)
    {
        var dayOfMonth = _allowed[2][t.Day];
        var dayOfWeek = _allowed[4][(int)t.DayOfWeek];
        return _anyDayOfMonth || _anyDayOfWeek ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    }

    private static bool TryParseItem(string item, int min, int max, bool[] allowed)
    {
        var step = 1;
        var slash = item.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(item[(slash + 1)..], out step) || step < 1)
            {
                return false;
            }

            item = item[..slash];
        }

        int from, to;
        if (item == "*")
        {
            (from, to) = (min, max);
        }
        else if (item.Split('-') is [var a, var b])
        {
            if (!int.TryParse(a, out from) || !int.TryParse(b, out to))
            {
                return false;
            }
        }
        else if (int.TryParse(item, out from))
        {
            to = slash >= 0 ? max : from;
        }
        else
        {
            return false;
        }

        if (from < min || to > max || from > to)
        {
            return false;
        }

        for (var value = from; value <= to; value += step)
        {
            allowed[value] = true;
        }

        return true;
    }
}
