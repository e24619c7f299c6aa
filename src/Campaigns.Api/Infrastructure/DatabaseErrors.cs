using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.Infrastructure;

public static class DatabaseErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteFull = 13;
    private const int SqliteConstraintCommitHook = 531;
    private const string PostgresUniqueViolation = "23505";
    private const string PostgresDiskFull = "53100";

    public static bool IsUniqueViolation(Exception exception) => Innermost<DbException>(exception) switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint && sqlite.SqliteExtendedErrorCode == SqliteConstraintUnique,
        { SqlState: PostgresUniqueViolation } => true,
        _ => false,
    };

    /// <summary>A commit hook turned the commit into a rollback (the off-site journal does when the store does not confirm).</summary>
    public static bool IsCommitVetoed(Exception exception) =>
        Innermost<SqliteException>(exception) is { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintCommitHook };

    public static bool IsStorageFull(Exception exception) => Innermost<DbException>(exception) switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteFull,
        { SqlState: PostgresDiskFull } => true,
        _ => exception is IOException { HResult: 28 or unchecked((int)0x80070070) },
    };

    private static T? Innermost<T>(Exception? exception) where T : Exception
    {
        T? found = null;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                found = match;
            }
        }

        return found;
    }
}
