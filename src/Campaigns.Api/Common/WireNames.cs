using System.Text.Json;
using System.Text.Json.Serialization;

namespace Campaigns.Api.Common;

/// <summary>
/// Writes an enum as the lowercase kebab-case string JSON, sidecars and logs have always used ("pre-restore"), or the
/// name a member gives with <see cref="JsonStringEnumMemberNameAttribute"/>; reads only those strings back.
/// </summary>
public sealed class WireEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where T : struct, Enum;

/// <summary>The same strings outside JSON: in log lines, messages and the CLI.</summary>
public static class WireNames
{
    private static readonly JsonSerializerOptions Json = new();

    public static string ToWire<T>(this T value) where T : struct, Enum => Names<T>.ByValue[value];

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum =>
        Names<T>.ByName.TryGetValue(text ?? "", out value);

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Names<T>.InOrder;

    private static class Names<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>()
            .ToDictionary(v => v, v => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(v, Json))!);

        public static readonly Dictionary<string, T> ByName = ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        public static readonly string[] InOrder = [.. ByValue.Values];
    }
}
