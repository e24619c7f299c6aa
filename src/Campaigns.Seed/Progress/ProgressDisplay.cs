using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Campaigns.Seed.Progress;

/// <summary>What a long operation counts in.</summary>
public enum ProgressUnit
{
    Bytes,
    Rows,
}

/// <summary>
/// Progress of a long command (done/total, rate) on stderr, so stdout keeps only the command's result: a live bar on a
/// terminal (Spectre.Console), plain lines otherwise (a pipe, a log file, the tests): one every few seconds while it
/// runs, and one when it ends. Any command can use it, by reporting counts or by handing it a function to poll.
/// </summary>
public sealed class ProgressDisplay(TextWriter error, bool terminal)
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>A terminal bar only when the command writes to the real console's stderr and that is a terminal.</summary>
    public static ProgressDisplay For(TextWriter error) =>
        new(error, ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb");

    /// <summary>Runs <paramref name="work"/>, which reports its own (done, total) as it goes.</summary>
    public Task<T> RunAsync<T>(string label, ProgressUnit unit, Func<IProgress<(long Done, long Total)>, Task<T>> work)
    {
        var counts = new Counts();
        return ShowAsync(label, unit, counts, () => { }, () => work(counts));
    }

    /// <summary>
    /// Runs <paramref name="work"/> while polling <paramref name="done"/> (say, the size of a file being written). The
    /// count never goes back: the file is renamed or deleted once written, and the steps after it do not undo it.
    /// </summary>
    public Task<T> WatchAsync<T>(string label, ProgressUnit unit, long total, Func<long> done, Func<Task<T>> work)
    {
        var counts = new Counts();
        counts.Report((0, total));
        return ShowAsync(label, unit, counts, () => counts.Report((Math.Max(counts.Read().Done, Math.Min(SafePoll(done), total)), total)), work);
    }

    private async Task<T> ShowAsync<T>(string label, ProgressUnit unit, Counts counts, Action poll, Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        var running = Task.Run(work);
        if (terminal)
        {
            await AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
                .Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountsColumn(unit), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(label);
                    while (true)
                    {
                        poll();
                        var (done, total) = counts.Read();
                        task.MaxValue = Math.Max(total, 1);
                        task.Value = Math.Min(done, task.MaxValue);
                        if (running.IsCompleted)
                        {
                            break;
                        }

                        await Task.WhenAny(running, Task.Delay(RefreshInterval));
                    }

                    if (running.IsCompletedSuccessfully)
                    {
                        task.Value = task.MaxValue;
                    }
                });
        }
        else
        {
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(PlainInterval));
                if (!running.IsCompleted)
                {
                    poll();
                    error.WriteLine(Line(label, unit, counts.Read(), clock.Elapsed, finished: false));
                }
            }

            if (running.IsCompletedSuccessfully)
            {
                // A failure says why in its own words; the last line is for what got done.
                var (done, total) = counts.Read();
                error.WriteLine(Line(label, unit, (Math.Max(done, total), total), clock.Elapsed, finished: true));
            }
        }

        return await running;
    }

    /// <summary><c>backup: 512.0/1536.0 MB (33%) in 4.1 s, 124.9 MB/s</c>.</summary>
    public static string Line(string label, ProgressUnit unit, (long Done, long Total) counts, TimeSpan elapsed, bool finished)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var percent = counts.Total > 0 ? $" ({100 * counts.Done / counts.Total}%)" : "";
        var state = finished ? "done" : "running";
        return string.Create(CultureInfo.InvariantCulture,
            $"{label}: {Amount(unit, counts.Done, withUnit: false)}/{Amount(unit, counts.Total, withUnit: true)}{percent} {state} in {seconds:F1} s, {Amount(unit, (long)(counts.Done / seconds), withUnit: true)}/s");
    }

    internal static string Amount(ProgressUnit unit, long value, bool withUnit) => unit switch
    {
        ProgressUnit.Bytes => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000.0:F1}{(withUnit ? " MB" : "")}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value}{(withUnit ? " rows" : "")}"),
    };

    private static long SafePoll(Func<long> done)
    {
        try
        {
            return done();
        }
        catch (IOException)
        {
            return 0; // the file being watched came or went between two looks
        }
    }

    private sealed class Counts : IProgress<(long Done, long Total)>
    {
        private long _done;
        private long _total;

        public void Report((long Done, long Total) value)
        {
            Interlocked.Exchange(ref _total, value.Total);
            Interlocked.Exchange(ref _done, value.Done);
        }

        public (long Done, long Total) Read() => (Interlocked.Read(ref _done), Interlocked.Read(ref _total));
    }

    /// <summary>done/total and the rate, in the operation's unit.</summary>
    private sealed class CountsColumn(ProgressUnit unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var rate = task.Speed is { } speed ? $", {Amount(unit, (long)speed, withUnit: true)}/s" : "";
            return new Text($"{Amount(unit, (long)task.Value, withUnit: false)}/{Amount(unit, (long)task.MaxValue, withUnit: true)}{rate}");
        }
    }
}
