using System.Globalization;

namespace Campaigns.Api.Infrastructure.Logging;

/// <summary>
/// Renders values in log messages the same way on every machine: times as ISO 8601 (<c>2026-12-01T19:56:34.0000000+00:00</c>)
/// instead of the culture's <c>12/01/2026 19:56:34</c>, numbers invariantly. An explicit format in a template still wins.
/// </summary>
public sealed class IsoFormatProvider : IFormatProvider, ICustomFormatter
{
    public static IsoFormatProvider Instance { get; } = new();

    public object? GetFormat(Type? formatType) =>
        formatType == typeof(ICustomFormatter) ? this : CultureInfo.InvariantCulture.GetFormat(formatType);

    public string Format(string? format, object? arg, IFormatProvider? formatProvider) => arg switch
    {
        null => "",
        DateTimeOffset time when string.IsNullOrEmpty(format) => time.ToString("O", CultureInfo.InvariantCulture),
        DateTime time when string.IsNullOrEmpty(format) => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        _ => arg.ToString() ?? "",
    };
}
