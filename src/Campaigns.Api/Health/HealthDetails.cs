namespace Campaigns.Api.Health;

/// <summary>
/// A nested object in a check's data (the newest backup, the last drill), as named plain values. HealthReportWriter
/// writes these itself; an anonymous object or a record would go to the reflection serializer instead, whose first use
/// (its converters, a member accessor emitted per property) came before a deploy's first 200.
/// </summary>
public static class HealthDetails
{
    public static Dictionary<string, object?> Of(params ReadOnlySpan<(string Name, object? Value)> values)
    {
        var details = new Dictionary<string, object?>(values.Length);
        foreach (var (name, value) in values)
        {
            details[name] = value;
        }

        return details;
    }
}
