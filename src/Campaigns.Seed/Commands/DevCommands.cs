using System.CommandLine;
using System.Text.RegularExpressions;
using Campaigns.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.EntityFrameworkCore.Scaffolding;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Seed.Commands;

/// <summary>
/// Developer commands. dotnet-ef cannot be installed in our build environment, so migrations and compiled models are
/// scaffolded in-process with EF Core's own design-time services: the output is exactly what `dotnet ef migrations add`
/// and `dotnet ef dbcontext optimize` write.
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
        var addMigration = new Command("add-migration",
            "Scaffold an EF Core migration into Storage/Migrations/Sqlite or Storage/Migrations/Postgres, and regenerate that provider's compiled model.")
        {
            name, project, provider,
        };
        addMigration.SetAction(parse => AddMigration(parse.GetValue(name)!, parse.GetValue(project)!, DesignTimeTarget.For(parse.GetValue(provider)!)));

        var optimizeModel = new Command("optimize-model",
            "Regenerate the EF Core compiled models (Storage/CompiledModels/Sqlite and .../Postgres) the service starts with.") { project };
        optimizeModel.SetAction(parse =>
        {
            foreach (var target in DesignTimeTarget.All)
            {
                CompiledModels.Write(target, parse.GetValue(project)!);
            }

            return ExitCodes.Ok;
        });

        return new Command("dev", "Developer tools (not needed to operate the service).") { addMigration, optimizeModel };
    }

    private static int AddMigration(string name, string projectDir, DesignTimeTarget target)
    {
        using (var db = target.CreateContext())
        using (var services = target.BuildServices(db))
        {
            var scaffolder = services.GetRequiredService<IMigrationsScaffolder>();
            var subNamespace = $"Storage.Migrations.{target.Name}";
            var migration = scaffolder.ScaffoldMigration(name, "Campaigns.Api", subNamespace);
            var outputDir = Path.Combine(Path.GetFullPath(projectDir), subNamespace.Replace('.', Path.DirectorySeparatorChar));
            var files = scaffolder.Save(Path.GetFullPath(projectDir), migration, outputDir);
            Console.WriteLine($"Wrote {files.MigrationFile}, {files.MetadataFile} and {files.SnapshotFile}");
        }

        // A new migration means a changed model: the compiled model the service starts with must follow it.
        CompiledModels.Write(target, projectDir);
        return ExitCodes.Ok;
    }
}

/// <summary>One provider's context, built for design time (no database is contacted), and its design-time services.</summary>
public sealed record DesignTimeTarget(string Name, Func<CampaignsDbContext> CreateContext, IDesignTimeServices ProviderServices)
{
#pragma warning disable EF1001 // The provider's design-time services are public but marked internal; dotnet-ef uses them the same way.
    public static readonly DesignTimeTarget Sqlite = new("Sqlite",
        () => new SqliteCampaignsDbContext(new DbContextOptionsBuilder<SqliteCampaignsDbContext>().UseSqlite("Data Source=:memory:").Options),
        new Microsoft.EntityFrameworkCore.Sqlite.Design.Internal.SqliteDesignTimeServices());

    public static readonly DesignTimeTarget Postgres = new("Postgres",
        () => new PostgresCampaignsDbContext(new DbContextOptionsBuilder<PostgresCampaignsDbContext>().UseNpgsql("Host=localhost;Database=design").Options),
        new Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal.NpgsqlDesignTimeServices());
#pragma warning restore EF1001

    public static IReadOnlyList<DesignTimeTarget> All { get; } = [Sqlite, Postgres];

    public static DesignTimeTarget For(string provider) => provider == "postgres" ? Postgres : Sqlite;

    public ServiceProvider BuildServices(DbContext db)
    {
        var services = new ServiceCollection();
        services.AddEntityFrameworkDesignTimeServices();
        services.AddDbContextDesignTimeServices(db);
        ProviderServices.ConfigureDesignTimeServices(services);
        return services.BuildServiceProvider();
    }
}

/// <summary>
/// EF Core compiled models: the service hands them to UseModel so a start does not build the model from
/// OnModelCreating. They are generated from that same model, so they must be regenerated whenever it changes
/// (add-migration does it; CompiledModelTests fails when they are stale).
/// </summary>
public static partial class CompiledModels
{
    /// <summary>The files `dotnet ef dbcontext optimize` would write: file name (in <see cref="Directory"/>) to code.</summary>
    public static IReadOnlyDictionary<string, string> Generate(DesignTimeTarget target)
    {
        using var db = target.CreateContext();
        using var services = target.BuildServices(db);
        var files = services.GetRequiredService<ICompiledModelCodeGeneratorSelector>()
            .Select(new CompiledModelCodeGenerationOptions { Language = "C#" })
            .GenerateModel(db.GetService<IDesignTimeModel>().Model, new CompiledModelCodeGenerationOptions
            {
                ContextType = db.GetType(),
                ModelNamespace = $"Campaigns.Api.Storage.CompiledModels.{target.Name}",
                Language = "C#",
                UseNullableReferenceTypes = true,
            });
        return files.ToDictionary(file => file.Path, file => file.Code);
    }

    public static string Directory(DesignTimeTarget target, string projectDir) =>
        Path.Combine(Path.GetFullPath(projectDir), "Storage", "CompiledModels", target.Name);

    /// <summary>
    /// Replaces the provider's compiled model files (so a removed entity leaves no stale file behind), keeping a file
    /// that only differs by its random model id, so regenerating an unchanged model changes nothing in git.
    /// </summary>
    public static void Write(DesignTimeTarget target, string projectDir)
    {
        var files = Generate(target);
        var directory = Directory(target, projectDir);
        var existing = ReadCommitted(directory);
        foreach (var stale in existing.Keys.Where(name => !files.ContainsKey(name)))
        {
            File.Delete(Path.Combine(directory, stale));
        }

        System.IO.Directory.CreateDirectory(directory);
        foreach (var (name, code) in files)
        {
            if (!existing.TryGetValue(name, out var onDisk) || !SameCode(code, onDisk))
            {
                File.WriteAllText(Path.Combine(directory, name), code);
            }
        }

        Console.WriteLine($"Wrote the {target.Name} compiled model ({files.Count} files) to {directory}");
    }

    /// <summary>The files of a compiled model directory: file name to code (empty when there is none).</summary>
    public static IReadOnlyDictionary<string, string> ReadCommitted(string directory) =>
        System.IO.Directory.Exists(directory)
            ? System.IO.Directory.GetFiles(directory, "*.cs").ToDictionary(file => Path.GetFileName(file), File.ReadAllText)
            : new Dictionary<string, string>();

    /// <summary>Equal apart from line endings and the model id, a new random Guid on every generation.</summary>
    public static bool SameCode(string generated, string committed) => Normalize(generated) == Normalize(committed);

    private static string Normalize(string code) =>
        ModelId().Replace(code.ReplaceLineEndings("\n").Trim(), "modelId: new Guid(\"\")");

    [GeneratedRegex("""modelId: new Guid\("[0-9a-fA-F-]{36}"\)""")]
    private static partial Regex ModelId();
}
