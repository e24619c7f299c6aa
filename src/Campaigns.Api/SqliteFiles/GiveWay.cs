using System.Diagnostics;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Makes a backup give the cores back while the service is serving requests. A lowered priority
/// (<see cref="LowPriority"/>) is not enough on a small container: a thread inside a system call (the copy's, the hash's
/// and the check's reads and writes of a gigabyte) keeps its core until the kernel next reschedules, whatever its
/// priority, and the requests queue behind it (docs/benchmarks.md, issue 12, twelfth and thirteenth sessions). So while
/// <see cref="RequestActivity"/> says requests are being served, the backup's threads take turns, one at a time, and
/// the one whose turn it is pauses after each slice of work for as long as it worked: the backup then holds at most
/// half of one core. With no request in sight they run side by side at full speed.
/// </summary>
public sealed class GiveWay(RequestActivity requests)
{
    // Long enough that a pause (Thread.Sleep, about a millisecond at the least) is not mostly overhead, short enough
    // that a request never waits long behind one.
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(2);

    // A slice that took long was mostly spent waiting for a core the requests had: pausing that long again only delays the backup.
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(20);

    private readonly RequestActivity _requests = requests;
    private readonly object _turns = new();
    private long _nextTicket;
    private long _serving;
    private long _pausedTicks;

    /// <summary>How long the paced threads have paused for requests, in all, since the process started.</summary>
    public TimeSpan Paused => TimeSpan.FromTicks(Interlocked.Read(ref _pausedTicks));

    /// <summary>One thread's part in paced work; dispose it when that thread's part is done, before it waits for another's.</summary>
    public Pace Join() => new(this);

    /// <summary>Tickets served in order: a thread that hands its turn on queues behind the threads already waiting.</summary>
    private void TakeTurn()
    {
        lock (_turns)
        {
            var ticket = _nextTicket++;
            while (_serving != ticket)
            {
                Monitor.Wait(_turns);
            }
        }
    }

    private void HandOn()
    {
        lock (_turns)
        {
            _serving++;
            Monitor.PulseAll(_turns);
        }
    }

    public sealed class Pace : IDisposable
    {
        private readonly GiveWay _owner;
        private long _resumedAt = Stopwatch.GetTimestamp();
        private bool _hasTurn;

        internal Pace(GiveWay owner) => _owner = owner;

        /// <summary>Called between small units of work (a chunk copied, a buffer hashed, a thousand steps of a check).</summary>
        public void Step()
        {
            var worked = Stopwatch.GetElapsedTime(_resumedAt);
            if (worked < Slice)
            {
                return;
            }

            if (!_owner._requests.Busy)
            {
                // Nobody to give way to: the threads go side by side again.
                LeaveTurn();
            }
            else if (!_hasTurn)
            {
                _owner.TakeTurn();
                _hasTurn = true;
            }
            else
            {
                // The turn is kept while pausing, so no other part of the backup works meanwhile either.
                var pause = worked < LongestPause ? worked : LongestPause;
                Thread.Sleep(pause);
                Interlocked.Add(ref _owner._pausedTicks, pause.Ticks);
                _owner.HandOn();
                _owner.TakeTurn();
            }

            _resumedAt = Stopwatch.GetTimestamp();
        }

        public void Dispose() => LeaveTurn();

        private void LeaveTurn()
        {
            if (_hasTurn)
            {
                _hasTurn = false;
                _owner.HandOn();
            }
        }
    }
}
