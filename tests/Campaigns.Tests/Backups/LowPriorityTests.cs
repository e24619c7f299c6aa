using Campaigns.Api.SqliteFiles;

namespace Campaigns.Tests.Backups;

/// <summary>
/// The priority a backup's copy and check run at, read back from the kernel (<c>/proc/thread-self/stat</c>): idle
/// time only at first, and never starved for longer than its idle time.
/// </summary>
public sealed class LowPriorityTests
{
    private const int SchedOther = 0, SchedIdle = 5;

    [Fact]
    public async Task BackupWorkRunsOnIdleTimeAndGoesBackToNiceTenWhenItOutlastsItsIdleTime()
    {
        var (first, later) = await LowPriority.RunWhenIdle(() =>
        {
            var atStart = Current();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Current().Policy == atStart.Policy && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            return (atStart, Current());
        }, "test-when-idle", idleFor: TimeSpan.FromMilliseconds(200));

        // As root (this machine, CI) SCHED_IDLE can be left again, so it is entered; elsewhere the work runs at nice 10 only.
        Assert.Equal(Environment.IsPrivilegedProcess ? SchedIdle : SchedOther, first.Policy);
        Assert.Equal((SchedOther, 10), later);
    }

    [Fact]
    public async Task OtherLowPriorityWorkRunsAtNiceTenUnderTheNormalPolicy()
    {
        Assert.Equal((SchedOther, 10), await LowPriority.Run(Current, "test-nice"));
    }

    /// <summary>Fields 19 (nice) and 41 (policy) of this thread's stat line; the name in parentheses may hold spaces.</summary>
    private static (int Policy, int Nice) Current()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[41 - 3]), int.Parse(fields[19 - 3]));
    }
}
