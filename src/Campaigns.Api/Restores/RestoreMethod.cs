using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Restores;

/// <summary>How the backup went in; "file-swap", "online-backup-api" or "snapshot" on the wire.</summary>
[JsonConverter(typeof(WireEnumConverter<RestoreMethod>))]
public enum RestoreMethod
{
    /// <summary>The verified copy was renamed over the live file (the old one kept by a hard link).</summary>
    FileSwap,

    /// <summary>Another process had the file open: the copy went in through SQLite's online backup API.</summary>
    OnlineBackupApi,

    /// <summary>A JSON snapshot replaced the rows in one transaction (PostgreSQL's kind of backup).</summary>
    Snapshot,
}
