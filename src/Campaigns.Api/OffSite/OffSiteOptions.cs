using System.ComponentModel.DataAnnotations;

namespace Campaigns.Api.OffSite;

public static class OffSiteModes
{
    /// <summary>A write is answered only once the store holds it as well as the volume.</summary>
    public const string Sync = "sync";

    /// <summary>A write is answered after the local commit and shipped within MaxLagSeconds.</summary>
    public const string Async = "async";
}

/// <summary>
/// Section <c>OffSite</c> (environment variables <c>OffSite__Endpoint</c> and so on). Off while Endpoint or Bucket is
/// unset. The credentials are only ever handed to the S3 client: never logged, never in /health.
/// </summary>
public sealed class OffSiteOptions : IValidatableObject
{
    public const string SectionName = "OffSite";

    /// <summary>The S3 API URL: a Railway Bucket's ENDPOINT, Cloudflare R2, Backblaze B2, MinIO, AWS.</summary>
    public string? Endpoint { get; set; }

    public string? Bucket { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    /// <summary>Signing region; S3-compatible stores (Railway, R2) accept "auto".</summary>
    public string Region { get; set; } = "auto";

    /// <summary>Every key starts with this; several services can share a bucket under different prefixes.</summary>
    public string Prefix { get; set; } = "campaigns/";

    /// <summary>bucket in the path (https://host/bucket/key): what MinIO, s3rver and most S3-compatible stores expect.</summary>
    public bool ForcePathStyle { get; set; } = true;

    public string Mode { get; set; } = OffSiteModes.Sync;

    [Range(1, 3600)]
    public int MaxLagSeconds { get; set; } = 1;

    [Range(1, 300)]
    public int WriteTimeoutSeconds { get; set; } = 10;

    /// <summary>Start from the canonical campaigns on an empty volume even when the store cannot be asked for the data.</summary>
    public bool AllowEmptyStart { get; set; }

    /// <summary>A new off-site snapshot once this many journal entries follow the last one.</summary>
    [Range(1, 1_000_000)]
    public int SnapshotEveryEntries { get; set; } = 500;

    /// <summary>A new off-site snapshot at least this often while anything changed.</summary>
    [Range(1, 10_080)]
    public int SnapshotIntervalMinutes { get; set; } = 60;

    public OffSiteRetentionOptions Retention { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Bucket);

    public bool IsSync => string.Equals(Mode, OffSiteModes.Sync, StringComparison.OrdinalIgnoreCase);

    /// <summary>The endpoint's host, safe to show: a URL with user info in it is never echoed whole.</summary>
    public string EndpointHost => Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) ? uri.Authority : "";

    /// <summary>"host/bucket", how logs, problems and /health name the store.</summary>
    public string StoreName => $"{EndpointHost}/{Bucket}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Endpoint)} must be an http(s) URL without credentials in it, such as https://storage.railway.app.",
                [nameof(Endpoint)]);
        }

        if (!string.Equals(Mode, OffSiteModes.Sync, StringComparison.OrdinalIgnoreCase) && !string.Equals(Mode, OffSiteModes.Async, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Mode)} must be '{OffSiteModes.Sync}' or '{OffSiteModes.Async}'.", [nameof(Mode)]);
        }

        if (string.IsNullOrWhiteSpace(AccessKeyId) != string.IsNullOrWhiteSpace(SecretAccessKey))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(AccessKeyId)} and {SectionName}:{nameof(SecretAccessKey)} go together: set both or neither.",
                [nameof(AccessKeyId), nameof(SecretAccessKey)]);
        }

        if (Prefix.Length > 0 && (!Prefix.EndsWith('/') || Prefix.StartsWith('/') || Prefix.Contains("//", StringComparison.Ordinal)))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Prefix)} must be empty or end with '/' (such as campaigns/), without a leading '/'.", [nameof(Prefix)]);
        }

        foreach (var problem in Retention.Problems())
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Retention)}:{problem}", [nameof(Retention)]);
        }
    }
}

/// <summary>Like Railway's native backups, but longer: every point for a day, then dailies, weeklies and monthlies.</summary>
public sealed class OffSiteRetentionOptions
{
    public int EveryPointHours { get; set; } = 24;

    public int DailyDays { get; set; } = 7;

    public int WeeklyWeeks { get; set; } = 4;

    public int MonthlyMonths { get; set; } = 3;

    internal IEnumerable<string> Problems()
    {
        if (EveryPointHours is < 1 or > 24 * 366) yield return $"{nameof(EveryPointHours)} must be between 1 and 8784.";
        if (DailyDays is < 0 or > 3660) yield return $"{nameof(DailyDays)} must be between 0 and 3660.";
        if (WeeklyWeeks is < 0 or > 520) yield return $"{nameof(WeeklyWeeks)} must be between 0 and 520.";
        if (MonthlyMonths is < 0 or > 120) yield return $"{nameof(MonthlyMonths)} must be between 0 and 120.";
    }
}
