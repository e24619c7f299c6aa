using Campaigns.Api.OffSite;

namespace Campaigns.Tests.OffSite;

public sealed class OffSiteStatusTests
{
    [Fact]
    public void AnEntryCountsAsPendingFromItsCommitNotFromTheShippersNextPass()
    {
        var queue = new OffSiteQueue();
        var status = new OffSiteStatus(TimeProvider.System, queue);
        var committed = DateTimeOffset.UtcNow.AddSeconds(-3);

        queue.Enqueue(new QueuedEntry("journal/1", new JournalEntry(JournalEntry.FormatName, 1, "lineage", committed, [])));

        // No shipper pass has run: "pending 0" here would tell an operator before a deploy that nothing is at risk.
        var read = status.Read();
        Assert.Equal(1, read.Pending);
        Assert.InRange(read.Lag.TotalSeconds, 3, 60);

        queue.Remove(1);
        Assert.Equal(0, status.Read().Pending);
        Assert.Equal(TimeSpan.Zero, status.Read().Lag);
    }
}
