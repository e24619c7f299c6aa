using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Api.Campaigns;
using FluentValidation;

namespace Campaigns.Api.Seeding;

/// <summary>One thing wrong with the canonical file, located by JSON path so it can be fixed quickly.</summary>
public sealed record SeedProblem(string JsonPath, string Rule, string Message)
{
    public override string ToString() => $"{JsonPath}: {Message} [{Rule}]";
}

public sealed record SeedLoadResult(string Path, string? Sha256, CanonicalSeed? Seed, IReadOnlyList<SeedProblem> Problems, DateTimeOffset LoadedAt)
{
    public bool IsValid => Seed is not null && Problems.Count == 0;
}

public static partial class CanonicalSeedFile
{
    // Generated at build time: every start reads this file, and the reflection serializer's first use (its converters,
    // a setter emitted per property) was start-up time before the first 200. A typo such as "offerURL" must be reported,
    // not silently ignored.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
    [JsonSerializable(typeof(CanonicalSeed))]
    internal sealed partial class SeedJson : JsonSerializerContext;

    private static readonly CanonicalSeedValidator Validator = NewValidator();

    private static CanonicalSeedValidator NewValidator()
    {
        JsonFieldNames.Apply(); // the CLI's validate runs without the API's host
        return new CanonicalSeedValidator();
    }

    public static SeedLoadResult Load(string path, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SeedLoadResult(path, null, null, [new SeedProblem("$", "Readable", ex.Message)], now);
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        CanonicalSeed? seed;
        try
        {
            seed = JsonSerializer.Deserialize(bytes, SeedJson.Default.CanonicalSeed);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            return new SeedLoadResult(path, sha256, null, [new SeedProblem(ex.Path ?? "$", "WellFormedJson", FirstSentence(ex.Message) + where)], now);
        }

        if (seed is null)
        {
            return new SeedLoadResult(path, sha256, null, [new SeedProblem("$", "WellFormedJson", "The file holds null.")], now);
        }

        var problems = Validator.Validate(seed).Errors
            .Select(e => new SeedProblem(ToJsonPath(e.PropertyName), RuleName(e.ErrorCode), e.ErrorMessage))
            .ToList();
        return new SeedLoadResult(path, sha256, problems.Count == 0 ? seed : null, problems, now);
    }

    /// <summary>A readable rule name: FluentValidation's codes without their "Validator" suffix (NotEmpty, MaximumLength).</summary>
    internal static string RuleName(string errorCode) => errorCode.EndsWith("Validator", StringComparison.Ordinal) ? errorCode[..^"Validator".Length] : errorCode;

    /// <summary>"Campaigns[3].OfferUrl" → "$.campaigns[3].offerUrl".</summary>
    internal static string ToJsonPath(string propertyPath) =>
        string.IsNullOrEmpty(propertyPath)
            ? "$"
            : "$." + string.Join('.', propertyPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
