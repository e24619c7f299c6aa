using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.SqliteFiles;

/// <summary>Opening, checking, reading and copying a SQLite file through its own connection (never EF's).</summary>
public static class SqliteFile
{
    /// <summary>SQLITE_BUSY: another connection holds the lock this one needs.</summary>
    public const int Busy = 5;

    /// <summary>Reads and writes of whole files a megabyte at a time (a syscall per 4 KiB page costs as much as the hashing).</summary>
    private const int CopyBufferBytes = 1 << 20;

    /// <summary>Unpooled, so the file is really closed when the connection is (it is about to be renamed or moved).</summary>
    public static SqliteConnection Open(string path, SqliteOpenMode mode, int busyTimeoutSeconds = 30)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = busyTimeoutSeconds,
        }.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = {busyTimeoutSeconds * 1000};");
        return connection;
    }

    /// <summary>
    /// "ok", or what SQLite found wrong. <c>quick_check</c> skips the index/content cross-checks. A file damaged where
    /// the check itself must read (its schema's pages) stops the check with SQLITE_CORRUPT or SQLITE_NOTADB: that is a
    /// finding too, not a failure to check.
    /// </summary>
    public static string Check(SqliteConnection connection, bool quick = false)
    {
        using var command = connection.CreateCommand();
        command.CommandText = quick ? "PRAGMA quick_check;" : "PRAGMA integrity_check;";
        var lines = new List<string>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read() && lines.Count < 10)
            {
                lines.Add(reader.GetString(0));
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is Corrupt or NotADatabase)
        {
            lines.Add(ex.Message);
        }

        return string.Join("; ", lines);
    }

    private const int Corrupt = 11, NotADatabase = 26;

    /// <summary>
    /// Null when <c>PRAGMA quick_check</c> passes; otherwise what is wrong. Only corruption counts: a busy or locked file
    /// is not a reason to move it aside, so those errors are thrown, not returned.
    /// </summary>
    public static string? FindCorruption(string path, int busyTimeoutSeconds)
    {
        try
        {
            using var connection = Open(path, SqliteOpenMode.ReadWrite, busyTimeoutSeconds);
            var check = Check(connection, quick: true);
            return check == "ok" ? null : $"quick_check: {check}";
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is Corrupt or NotADatabase) // opening a file that is no database
        {
            return ex.Message;
        }
    }

    /// <summary>Null when the file has no campaigns table yet (a brand-new or foreign database).</summary>
    public static SqliteContents? Inspect(SqliteConnection connection)
    {
        if (!HasCampaignsTable(connection))
        {
            return null;
        }

        var hasHistory = HasTable(connection, "__EFMigrationsHistory");
        var schema = hasHistory
            ? Scalar<string?>(connection, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId DESC LIMIT 1;") ?? ""
            : "";
        return new SqliteContents(
            schema,
            (int)Scalar<long>(connection, "SELECT count(*) FROM campaigns WHERE Active = 1;"),
            (int)Scalar<long>(connection, "SELECT count(*) FROM campaigns;"));
    }

    public static bool HasCampaignsTable(SqliteConnection connection) => HasTable(connection, "campaigns");

    public static bool HasTable(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name;";
        command.Parameters.AddWithValue("$name", name);
        return (long)command.ExecuteScalar()! > 0;
    }

    /// <summary>
    /// The active campaigns (an index search) and whether there is any campaign at all, without counting them all: that
    /// count scans a whole index (0.2 s on a gigabyte), and the start asks this before it serves.
    /// </summary>
    public static (int Active, bool HoldsData) ActiveAndAny(SqliteConnection connection) =>
        HasCampaignsTable(connection)
            ? ((int)Scalar<long>(connection, "SELECT count(*) FROM campaigns WHERE Active = 1;"), Scalar<long>(connection, "SELECT EXISTS (SELECT 1 FROM campaigns);") == 1)
            : (0, false);

    /// <summary>A megabyte per read: SHA256.HashData(Stream) reads 4 KiB at a time, which took 1.7× as long on a gigabyte.</summary>
    /// <param name="length">Hash exactly the first this many bytes (an <see cref="IOException"/> when the file is
    /// shorter); null: the whole file.</param>
    /// <param name="patchFirstBuffer">Applied to the first buffer read before it is hashed (the header page).</param>
    /// <param name="whileServing">Give way to requests between buffers (a backup's hash).</param>
    public static string Sha256Of(string path, long? length = null, Action<byte[]>? patchFirstBuffer = null, GiveWay? whileServing = null)
    {
        using var pace = whileServing?.Join();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[CopyBufferBytes];
        var wanted = length ?? long.MaxValue;
        for (var remaining = wanted; remaining > 0;)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                if (length is not null)
                {
                    throw new IOException(EndedEarly(path, remaining, wanted));
                }

                break;
            }

            if (remaining == wanted)
            {
                patchFirstBuffer?.Invoke(buffer);
            }

            sha256.AppendData(buffer, 0, read);
            remaining -= read;
            pace?.Step();
        }

        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    public static string EndedEarly(string path, long remaining, long length) => $"{path} ended {remaining} bytes before the {length} bytes to copy.";

    /// <summary>
    /// Copies the first <paramref name="length"/> bytes of <paramref name="sourcePath"/> into a new file, fsyncs it and
    /// returns the sha256 of what was written: one read of the source instead of a copy and then a second pass to hash.
    /// </summary>
    /// <param name="hashBeside">Hash on a thread of its own (<see cref="Sha256Beside"/>). A backup hashes on its copying
    /// thread: on 2 cores a hasher thread of its own only competed with the check that runs beside a backup's copy, and
    /// each hand-over of a buffer waited for the other thread to be scheduled (4 of a backup's 8 s under load went to
    /// that, measured). A restore's copy has a core to itself.</param>
    /// <param name="patchFirstBuffer">Applied to the first buffer before it is written and hashed (the header page).</param>
    public static string CopyWithSha256(string sourcePath, long length, string destinationPath, bool hashBeside = false, Action<byte[]>? patchFirstBuffer = null)
    {
        using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0, FileOptions.SequentialScan);
        using var destination = new FileStream(destinationPath, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        using var sha256 = new Sha256Beside(CopyBufferBytes, hashBeside ? "campaigns-copy-sha256" : null);
        var writeBehind = new WriteBehind(destination);
        for (var remaining = length; remaining > 0;)
        {
            var buffer = sha256.NextBuffer();
            var wanted = (int)Math.Min(CopyBufferBytes, remaining);
            var read = source.ReadAtLeast(buffer.AsSpan(0, wanted), wanted, throwOnEndOfStream: false);
            if (read == 0)
            {
                throw new IOException(EndedEarly(sourcePath, remaining, length));
            }

            if (remaining == length)
            {
                patchFirstBuffer?.Invoke(buffer);
            }

            sha256.Append(buffer, read);
            destination.Write(buffer, 0, read);
            remaining -= read;
            writeBehind.Wrote(length - remaining);
        }

        destination.Flush(flushToDisk: true);
        return sha256.Finish();
    }

    /// <summary>
    /// WAL lets readers (the API) carry on while a writer (the CLI, a backup) works; the mode is stored in the file, so it
    /// is set once after the file is created or replaced.
    /// </summary>
    public static void UseWal(SqliteConnection connection) => Execute(connection, WalPragma);

    public static void UseWal(string path)
    {
        using var connection = Open(path, SqliteOpenMode.ReadWrite);
        UseWal(connection);
    }

    public const string WalPragma = "PRAGMA journal_mode = WAL;";

    /// <summary>The database at <paramref name="path"/>, created empty when there is none, in WAL mode: how a start (and the
    /// seed template, built as a start would build it) begins a new database.</summary>
    public static void CreateInWalMode(string path, int busyTimeoutSeconds = 30)
    {
        using var connection = Open(path, SqliteOpenMode.ReadWriteCreate, busyTimeoutSeconds);
        UseWal(connection);
    }

    /// <summary>One compact copy of <paramref name="source"/> at <paramref name="destination"/> (which must not exist), written
    /// under a read snapshot, so writers carry on, and on disk when this returns.</summary>
    public static void VacuumInto(string source, string destination, int busyTimeoutSeconds = 30)
    {
        using (var connection = Open(source, SqliteOpenMode.ReadOnly, busyTimeoutSeconds))
        using (var vacuum = connection.CreateCommand())
        {
            vacuum.CommandText = "VACUUM INTO $path;";
            vacuum.Parameters.AddWithValue("$path", destination);
            vacuum.ExecuteNonQuery();
        }

        AtomicFile.FlushToDisk(destination);
    }

    /// <returns>The rows the statement changed.</returns>
    public static int Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of every row, as text.</summary>
    public static IReadOnlyList<string> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default! : (T)value;
    }
}
