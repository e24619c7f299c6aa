using System.CommandLine;
using Campaigns.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Seed.Commands;

/// <summary>
/// Developer commands. dotnet-ef cannot be installed in our build environment, so migrations are scaffolded
/// in-process with EF Core's own design-time services: the output is exactly what `dotnet ef migrations add` writes.
/// </summary>
public static class DevCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Migration name, for example AddCampaignNotes." };
        var project = new Option<string>("--project-dir")
        {
            Description = "The Campaigns.Api project directory.",
            DefaultValueFactory = _ => Path.Combine("src", "Campaigns.Api"),
        };
        var provider = new Option<string>("--provider")
        {
            Description = "Which provider's migrations to scaffold: sqlite or postgres. Each provider has its own set; add a migration for both.",
            DefaultValueFactory = _ => "sqlite",
        };
        provider.AcceptOnlyFromAmong("sqlite", "postgres");
        var addMigration = new Command("add-migration", "Scaffold an EF Core migration into Storage/Migrations/Sqlite or Storage/Migrations/Postgres.") { name, project, provider };
        addMigration.SetAction(parse => AddMigration(parse.GetValue(name)!, parse.GetValue(project)!, parse.GetValue(provider)!));

        return new Command("dev", "Developer tools (not needed to operate the service).") { addMigration };
    }

    private static int AddMigration(string name, string projectDir, string provider)
    {
        if (provider == "postgres")
        {
            // No server is contacted: scaffolding only needs the model and the provider's SQL generator.
            using var postgres = new PostgresCampaignsDbContext(
                new DbContextOptionsBuilder<PostgresCampaignsDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
            return Scaffold(postgres, name, projectDir, "Storage.Migrations.Postgres", ProviderDesignTimeServices.Postgres());
        }

        using var db = new SqliteCampaignsDbContext(
            new DbContextOptionsBuilder<SqliteCampaignsDbContext>().UseSqlite("Data Source=:memory:").Options);
        return Scaffold(db, name, projectDir, "Storage.Migrations.Sqlite", ProviderDesignTimeServices.Sqlite());
    }

    internal static int Scaffold(DbContext db, string name, string projectDir, string subNamespace, IDesignTimeServices providerServices)
    {
        var services = new ServiceCollection();
        services.AddEntityFrameworkDesignTimeServices();
        services.AddDbContextDesignTimeServices(db);
        providerServices.ConfigureDesignTimeServices(services);
        using var provider = services.BuildServiceProvider();

        var scaffolder = provider.GetRequiredService<IMigrationsScaffolder>();
        var migration = scaffolder.ScaffoldMigration(name, "Campaigns.Api", subNamespace);
        var outputDir = Path.Combine(Path.GetFullPath(projectDir), subNamespace.Replace('.', Path.DirectorySeparatorChar));
        var files = scaffolder.Save(Path.GetFullPath(projectDir), migration, outputDir);
        Console.WriteLine($"Wrote {files.MigrationFile}, {files.MetadataFile} and {files.SnapshotFile}");
        return ExitCodes.Ok;
    }
}

internal static class ProviderDesignTimeServices
{
#pragma warning disable EF1001 // The provider's design-time services are public but marked internal; dotnet-ef uses them the same way.
    public static IDesignTimeServices Sqlite() => new Microsoft.EntityFrameworkCore.Sqlite.Design.Internal.SqliteDesignTimeServices();

    public static IDesignTimeServices Postgres() => new Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal.NpgsqlDesignTimeServices();
#pragma warning restore EF1001
}
