using Npgsql;

namespace Campaigns.Api.Storage;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Which database the service uses, and a description of it that is safe to log. The connection string can hold a
/// password, so <see cref="ToString"/> never includes it.
/// </summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString, string ChosenBy, string? Host, int? Port, string? Database, string? FilePath)
{
    public const string UrlVariable = "DATABASE_URL";
    public const string ConnectionStringName = "Campaigns";
    public const string ConnectionStringSetting = "ConnectionStrings:" + ConnectionStringName;

    public string ProviderName => Provider == DatabaseProvider.PostgreSql ? "postgresql" : "sqlite";

    /// <summary>host:port/database for PostgreSQL, the file path for SQLite.</summary>
    public string Location => Provider == DatabaseProvider.PostgreSql ? $"{Host}:{Port}/{Database}" : FilePath!;

    public override string ToString() => $"{ProviderName} {Location} (chosen by {ChosenBy})";

    /// <summary>
    /// PostgreSQL when <c>DATABASE_URL</c> or <c>ConnectionStrings:Campaigns</c> is set, otherwise the SQLite file in the
    /// data directory. A setting that cannot be parsed throws, naming the setting but never echoing its value.
    /// </summary>
    public static DatabaseTarget Resolve(IConfiguration configuration, DataDirectory dataDirectory, int busyTimeoutSeconds = 30)
    {
        if (configuration[UrlVariable] is { Length: > 0 } url)
        {
            return PostgreSql(ParsePostgresUrl(url, UrlVariable), UrlVariable);
        }

        if (configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } connectionString)
        {
            return PostgreSql(ParsePostgres(connectionString, ConnectionStringSetting), ConnectionStringSetting);
        }

        return new DatabaseTarget(
            DatabaseProvider.Sqlite,
            StorageServiceCollectionExtensions.SqliteConnectionString(dataDirectory.DatabasePath, busyTimeoutSeconds),
            dataDirectory.ChosenBy, null, null, null, dataDirectory.DatabasePath);
    }

    /// <summary>Either a URL (postgres:// or postgresql://) or an Npgsql key=value connection string.</summary>
    public static NpgsqlConnectionStringBuilder ParsePostgres(string value, string settingName) =>
        value.Contains("://", StringComparison.Ordinal) ? ParsePostgresUrl(value, settingName) : ParseKeyValue(value, settingName);

    public static DatabaseTarget PostgreSql(NpgsqlConnectionStringBuilder builder, string chosenBy)
    {
        // Npgsql pools connections per connection string; the name shows up in pg_stat_activity.
        builder.Pooling = true;
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "campaigns";
        }

        return new DatabaseTarget(DatabaseProvider.PostgreSql, builder.ConnectionString, chosenBy, builder.Host, builder.Port, builder.Database, null);
    }

    /// <summary>
    /// Parses Railway's/Heroku's <c>postgresql://user:password@host:port/database?sslmode=require</c>. Errors name the
    /// setting and what is wrong, and never contain the value (it holds the password).
    /// </summary>
    public static NpgsqlConnectionStringBuilder ParsePostgresUrl(string url, string settingName)
    {
        const string expected = "expected postgresql://user:password@host:port/database?sslmode=require";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            throw Invalid(settingName, $"it is not a URL ({expected})");
        }

        if (uri.Scheme is not ("postgres" or "postgresql"))
        {
            throw Invalid(settingName, $"the scheme must be postgres or postgresql, not '{uri.Scheme}' ({expected})");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(settingName, $"the host is missing ({expected})");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length == 0 || database.Contains('/'))
        {
            throw Invalid(settingName, $"the path must be the database name ({expected})");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.DnsSafeHost,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
        };

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            ApplyQueryParameter(builder, key, value, settingName);
        }

        return builder;
    }

    private static void ApplyQueryParameter(NpgsqlConnectionStringBuilder builder, string key, string value, string settingName)
    {
        if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
        {
            builder.SslMode = value.ToLowerInvariant() switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                "verify-full" => SslMode.VerifyFull,
                _ => throw Invalid(settingName, $"sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not '{value}'"),
            };
            return;
        }

        if (key.Equals("password", StringComparison.OrdinalIgnoreCase))
        {
            builder.Password = value;
            return;
        }

        try
        {
            // Anything else Npgsql understands (connect_timeout is spelled "Timeout" there, so map the libpq name).
            builder[key.Equals("connect_timeout", StringComparison.OrdinalIgnoreCase) ? "Timeout" : key] = value;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw Invalid(settingName, $"the query parameter '{key}' is not supported or has an invalid value");
        }
    }

    private static NpgsqlConnectionStringBuilder ParseKeyValue(string connectionString, string settingName)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw Invalid(settingName, "Host is missing");
            }

            return builder;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw Invalid(settingName, "it is not a valid Npgsql connection string (Host=...;Database=...;Username=...;Password=...)");
        }
    }

    private static InvalidDatabaseSettingException Invalid(string settingName, string reason) =>
        new($"{settingName} is not a valid PostgreSQL connection setting: {reason}. The value is not shown because it may contain a password.");
}

/// <summary>A database setting that cannot be used; the message names the setting and never contains its value.</summary>
public sealed class InvalidDatabaseSettingException(string message) : Exception(message);
