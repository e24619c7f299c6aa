using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Common;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using FluentValidation;

namespace Campaigns.Api.Transfer;

public sealed class SnapshotFormatException(string path, IReadOnlyList<string> problems)
    : Exception($"{path}: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

public static class CampaignSnapshotFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static void Write(string path, CampaignSnapshot snapshot)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.Write(full, JsonSerializer.SerializeToUtf8Bytes(snapshot, Json));
    }

    /// <summary>Reads and checks a snapshot; every problem is reported with its JSON path.</summary>
    public static CampaignSnapshot Read(string path, IValidator<CampaignRequest> validator)
    {
        CampaignSnapshot? snapshot;
        try
        {
            snapshot = JsonSerializer.Deserialize<CampaignSnapshot>(File.ReadAllBytes(path), Json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotFormatException(path, [ex.Message]);
        }
        catch (JsonException ex)
        {
            throw new SnapshotFormatException(path, [$"{ex.Path ?? "$"}: not a valid snapshot ({ex.Message})"]);
        }

        var problems = new List<string>();
        if (snapshot is null || snapshot.Format != CampaignSnapshot.FormatName)
        {
            throw new SnapshotFormatException(path, [$"$.format: must be '{CampaignSnapshot.FormatName}'"]);
        }

        if (snapshot.Version != CampaignSnapshot.CurrentVersion)
        {
            problems.Add($"$.version: version {snapshot.Version} is not supported (this build reads {CampaignSnapshot.CurrentVersion})");
        }

        for (var i = 0; i < snapshot.Campaigns.Count; i++)
        {
            var campaign = snapshot.Campaigns[i];
            foreach (var error in validator.Validate(new CampaignRequest(campaign)).Errors.Where(e => e.ErrorCode != "Retired"))
            {
                problems.Add($"$.campaigns[{i}].{error.PropertyName}: {error.ErrorMessage}");
            }

            if (!WireNames.TryParse<CampaignSource>(campaign.Source, out _))
            {
                problems.Add($"$.campaigns[{i}].source: must be 'user' or 'canonical'");
            }
        }

        foreach (var repeated in snapshot.Campaigns.GroupBy(c => c.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"$.campaigns: key '{repeated.Key}' appears {repeated.Count()} times");
        }

        return problems.Count == 0 ? snapshot : throw new SnapshotFormatException(path, problems);
    }
}
