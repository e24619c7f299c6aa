using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Campaigns.Api.Storage;

/// <summary>
/// Warns about database commands slower than the threshold, on every provider. Only the command text is logged:
/// parameters appear as placeholders (@p0, $1), so no stored value or secret reaches the log.
/// </summary>
public sealed class SlowCommandInterceptor(TimeSpan threshold, ILogger<SlowCommandInterceptor> logger) : DbCommandInterceptor
{
    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        WarnIfSlow(command, eventData);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        WarnIfSlow(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        WarnIfSlow(command, eventData);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        WarnIfSlow(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        WarnIfSlow(command, eventData);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        WarnIfSlow(command, eventData);
        return ValueTask.FromResult(result);
    }

    private void WarnIfSlow(DbCommand command, CommandExecutedEventData eventData)
    {
        if (eventData.Duration >= threshold)
        {
            logger.LogWarning(
                "Slow database command: {ElapsedMilliseconds} ms (threshold {ThresholdMilliseconds} ms): {CommandText}",
                Math.Round(eventData.Duration.TotalMilliseconds), threshold.TotalMilliseconds, command.CommandText);
        }
    }
}
