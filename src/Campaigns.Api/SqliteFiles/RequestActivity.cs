using System.Diagnostics;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Whether the service is serving requests now or was a moment ago: what a backup's threads ask before each slice of
/// work (<see cref="GiveWay"/>). A middleware at the front of the pipeline reports every request's start and end.
/// </summary>
public sealed class RequestActivity
{
    // Requests a few milliseconds apart are one stream of work: without this a backup would race ahead in every gap.
    // Short, so that an occasional request (a probe, a job's status polled) holds a backup up for no longer than that.
    private static readonly TimeSpan Lately = TimeSpan.FromMilliseconds(10);

    private int _inFlight;
    private long _lastEnded;

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Ended()
    {
        Volatile.Write(ref _lastEnded, Stopwatch.GetTimestamp());
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>A request is in flight, or one ended within the last 10 ms.</summary>
    public bool Busy
    {
        get
        {
            if (Volatile.Read(ref _inFlight) > 0)
            {
                return true;
            }

            var lastEnded = Volatile.Read(ref _lastEnded);
            return lastEnded != 0 && Stopwatch.GetElapsedTime(lastEnded) < Lately;
        }
    }
}
