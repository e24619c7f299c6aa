using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// The one way this code tries something again (a snapshot copy that met a commit, a lock another process still holds,
/// a backup name another backup took this millisecond): a Polly pipeline that repeats an attempt until it returns a
/// value, a number of times or until a deadline. An attempt says "not yet" by returning null.
/// </summary>
public static class Retries
{
    /// <param name="attempts">How many attempts at most (the first included).</param>
    /// <param name="delayBefore">The pause before the attempt with this 0-based number (never asked for the first).</param>
    /// <param name="attempt">Gets its 0-based number; null means "try again".</param>
    /// <param name="deadline">Give up after this long, whatever the count.</param>
    /// <returns>The first value an attempt returned; null when every attempt said "not yet" or the deadline passed.</returns>
    public static T? UntilValue<T>(int attempts, Func<int, TimeSpan> delayBefore, Func<int, T?> attempt, TimeSpan? deadline = null)
        where T : class
    {
        var builder = new ResiliencePipelineBuilder<T?>();
        if (deadline is { } limit)
        {
            builder.AddTimeout(limit);
        }

        var pipeline = builder.AddRetry(new RetryStrategyOptions<T?>
        {
            MaxRetryAttempts = attempts - 1,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome is { Exception: null, Result: null }),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(delayBefore(args.AttemptNumber + 1)),
        }).Build();

        var next = 0;
        try
        {
            return pipeline.Execute(_ => attempt(next++));
        }
        catch (TimeoutRejectedException)
        {
            return null;
        }
    }
}
