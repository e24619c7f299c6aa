using System.Text.Json;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Jobs;

/// <summary>
/// EF Core's Microsoft.Data.Sqlite and Hangfire.Storage.SQLite's sqlite-net share one process: they must load one
/// native SQLite, not two copies of different versions fighting over the same files' locks.
/// </summary>
public sealed class SqliteLibrariesTests
{
    [Fact]
    public void MicrosoftDataSqliteAndSqliteNetRunOnTheSameNativeSqlite()
    {
        using var data = new TempDirectory();
        var path = data.Combine("shared.db");

        string efVersion;
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE written_by (library TEXT); INSERT INTO written_by VALUES ('Microsoft.Data.Sqlite'); SELECT sqlite_version();";
            efVersion = (string)command.ExecuteScalar()!;
        }

        string netVersion;
        using (var connection = new SQLite.SQLiteConnection(path))
        {
            netVersion = connection.ExecuteScalar<string>("SELECT sqlite_version()");
            Assert.Equal("Microsoft.Data.Sqlite", connection.ExecuteScalar<string>("SELECT library FROM written_by"));
            connection.Execute("INSERT INTO written_by VALUES ('sqlite-net')");
        }

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM written_by";
            Assert.Equal(2L, command.ExecuteScalar());
        }

        Assert.Equal(efVersion, netVersion);
        Assert.Equal(efVersion, SQLitePCL.raw.sqlite3_libversion().utf8_to_string());
        // One copy of the library mapped into this process, whichever of the two opened it first.
        var mapped = File.ReadLines("/proc/self/maps").Where(l => l.EndsWith(".so", StringComparison.Ordinal) && l.Contains("e_sqlite3", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('/') is var slash and >= 0 ? slash : 0)..]).Distinct().ToList();
        Assert.True(mapped.Count == 1, $"native SQLite libraries mapped: {string.Join(", ", mapped)}");
    }

    [Fact]
    public void TheServiceShipsOneNativeSqliteForEachPlatform()
    {
        // The .deps.json is what the publish step copies from: one package may provide runtimes/<rid>/native/*e_sqlite3*.
        var deps = Path.ChangeExtension(ApiProcess.ApiAssemblyPath, ".deps.json");
        using var document = JsonDocument.Parse(File.ReadAllText(deps));
        var providers = new Dictionary<string, List<string>>();
        foreach (var target in document.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var package in target.Value.EnumerateObject())
            {
                if (!package.Value.TryGetProperty("runtimeTargets", out var natives))
                {
                    continue;
                }

                foreach (var native in natives.EnumerateObject().Where(n => n.Name.Contains("e_sqlite3", StringComparison.Ordinal)))
                {
                    var rid = native.Value.GetProperty("rid").GetString()!;
                    (providers.TryGetValue(rid, out var list) ? list : providers[rid] = []).Add(package.Name);
                }
            }
        }

        Assert.Contains("linux-x64", providers.Keys);
        Assert.All(providers, p => Assert.True(p.Value.Distinct().Count() == 1, $"{p.Key}: {string.Join(", ", p.Value)}"));
    }
}
