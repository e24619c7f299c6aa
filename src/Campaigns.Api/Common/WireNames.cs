using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Campaigns.Api.Common;

/// <summary>
/// On an enum, as <c>[JsonConverter(typeof(WireEnumConverter&lt;T&gt;))]</c>: JSON writes it as the lowercase kebab-case
/// string sidecars, job records and responses have always used ("pre-restore"), or the name a member gives with
/// <see cref="JsonStringEnumMemberNameAttribute"/>, and reads only those strings back. Any serializer honours it,
/// whatever its options, and so does a build-time (source-generated) serializer context, which a converter made by a
/// custom attribute would not allow.
/// </summary>
public sealed class WireEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where T : struct, Enum;

/// <summary>
/// The same strings outside JSON: in log lines, messages and the CLI. Worked out by the converter's own rule (the member's
/// <see cref="JsonStringEnumMemberNameAttribute"/>, else its kebab-case name) rather than by serializing each value:
/// the first reflection-based serialization costs about a tenth of a second, and these are read on the way to ready.
/// WireFormatTests holds the two to the same strings.
/// </summary>
public static class WireNames
{
    public static string ToWire<T>(this T value) where T : struct, Enum => Names<T>.ByValue[value];

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum =>
        Names<T>.ByName.TryGetValue(text ?? "", out value);

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Names<T>.InOrder;

    private static class Names<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>().ToDictionary(v => v, NameOf);

        public static readonly Dictionary<string, T> ByName = ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        public static readonly string[] InOrder = [.. ByValue.Values];

        private static string NameOf(T value)
        {
            var member = Enum.GetName(value)!;
            return typeof(T).GetField(member)!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                   ?? JsonNamingPolicy.KebabCaseLower.ConvertName(member);
        }
    }
}
