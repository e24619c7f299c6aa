namespace Campaigns.Tests.Infrastructure;

/// <summary>The system clock moved by <see cref="Shift"/>: for code that asks "how long ago" of a <see cref="TimeProvider"/>.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
