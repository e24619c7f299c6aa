using System.Text.Json.Serialization;
using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Doctor;
using Campaigns.Api.Jobs;
using Campaigns.Api.OffSite;
using Campaigns.Api.Seeding;

namespace Campaigns.Api.CampaignsApi;

/// <summary>
/// The bodies the HTTP API reads and writes, described at build time. Every endpoint asks the JSON options for its
/// body's and its result's metadata when the endpoints are built, before the server listens; the reflection resolver
/// answered that by building each type's metadata, and the default converters of every primitive, at each start
/// (docs/benchmarks.md, issue 12). The options' own settings (web defaults, strict numbers) still apply: this is a
/// resolver in their chain, ahead of the reflection one that keeps serving anything not listed here.
/// </summary>
[JsonSerializable(typeof(CampaignRequest))]
[JsonSerializable(typeof(CampaignDto))]
[JsonSerializable(typeof(List<CampaignDto>))]
[JsonSerializable(typeof(RestoreRequest))]
[JsonSerializable(typeof(JobAccepted))]
[JsonSerializable(typeof(JobDto))]
[JsonSerializable(typeof(List<BackupDto>))]
[JsonSerializable(typeof(TopUpSummary))]
[JsonSerializable(typeof(DoctorReportDto))]
[JsonSerializable(typeof(OffSiteRestorePointsDto))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
