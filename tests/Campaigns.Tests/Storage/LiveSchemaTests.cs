using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.Storage;

public sealed class LiveSchemaTests
{
    [Fact]
    public void ThisBuildsMigrationsAreTheOnesEntityFrameworkWouldApplyForEachProvider()
    {
        using var dir = new TempDirectory();
        using var sqlite = CampaignsApiFactory.CreateDbContext(dir.Combine("campaigns.db"));
        using var postgres = CampaignsApiFactory.CreatePostgresDbContext("postgres://user:pass@127.0.0.1:1/none");

        Assert.Equal(sqlite.Database.GetMigrations(), LiveSchema.Known(DatabaseProvider.Sqlite));
        Assert.Equal(postgres.Database.GetMigrations(), LiveSchema.Known(DatabaseProvider.PostgreSql));
        Assert.NotEqual(LiveSchema.Known(DatabaseProvider.Sqlite), LiveSchema.Known(DatabaseProvider.PostgreSql));
    }

    [Fact]
    public async Task AMigrationTheDatabaseHasNotAppliedIsPendingAndTheNewestAppliedIsTheVersion()
    {
        using var dir = new TempDirectory();
        await using (var api = new CampaignsApiFactory(dir.Path))
        {
            _ = api.Server;
        }

        await using (var db = CampaignsApiFactory.CreateDbContext(dir.Combine("campaigns.db")))
        {
            var newest = LiveSchema.Known(DatabaseProvider.Sqlite)[^1];
            await db.Database.ExecuteSqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {newest}");
            await using var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            var applied = await LiveSchema.ReadAppliedAsync(connection, CancellationToken.None);

            Assert.Equal([newest], LiveSchema.Pending(DatabaseProvider.Sqlite, applied));
            Assert.Equal(LiveSchema.Known(DatabaseProvider.Sqlite)[^2], LiveSchema.Newest(applied));
        }
    }
}
