using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Seeding;

/// <summary>What ran the canonical top-up; "startup", "manual", "restore" or "cli" in the seed history and on the wire.</summary>
[JsonConverter(typeof(WireEnumConverter<SeedTrigger>))]
public enum SeedTrigger
{
    Startup,
    Manual,
    Restore,
    Cli,
}
