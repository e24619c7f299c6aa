using Campaigns.Api.Seeding;

namespace Campaigns.Api.Restores;

public sealed record RestoreResult(
    RestoreSource Source,
    string? Backup,
    RestoreMethod? Method,
    string? PreRestoreBackup,
    int ActiveBefore,
    int ActiveAfter,
    IReadOnlyList<string> Migrations,
    TopUpSummary TopUp);
