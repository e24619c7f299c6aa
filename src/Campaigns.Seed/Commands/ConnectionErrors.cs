using System.Net.Sockets;
using Campaigns.Api.Storage;

namespace Campaigns.Seed.Commands;

/// <summary>
/// A database that cannot be reached, said plainly: which host and port (and the setting that chose them) and what the
/// operating system answered, instead of EF Core's "likely due to a transient failure". Never the password.
/// </summary>
public static class ConnectionErrors
{
    public static string? Describe(Exception exception, DatabaseTarget? target)
    {
        var chain = Chain(exception).ToList();
        var where = target is { Provider: DatabaseProvider.PostgreSql }
            ? $"PostgreSQL at {target.Host}:{target.Port} (chosen by {target.ChosenBy})"
            : "the database server";
        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket)
        {
            return $"cannot connect to {where}: {socket.Message} ({socket.SocketErrorCode}).";
        }

        if (target is { Provider: DatabaseProvider.PostgreSql } && chain.OfType<TimeoutException>().FirstOrDefault() is { } timeout)
        {
            return $"cannot connect to {where}: {timeout.Message}";
        }

        return null;
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
