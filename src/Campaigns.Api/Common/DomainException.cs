namespace Campaigns.Api.Common;

/// <summary>
/// A failure that says what went wrong in the domain's words, thrown by services. What kind of failure it is decides its
/// HTTP status (in Infrastructure/DomainExceptionHandler) and its CLI exit code; services never name either.
/// </summary>
public abstract class DomainException(string title, string detail) : Exception(detail)
{
    public string Title { get; } = title;
}

/// <summary>The thing asked for does not exist.</summary>
public abstract class NotFoundException(string title, string detail) : DomainException(title, detail);

/// <summary>
/// The request itself is malformed (a name that cannot be ours, an unknown choice). With a <see cref="Field"/> it is
/// answered as a validation problem naming that field.
/// </summary>
public abstract class InvalidInputException(string title, string detail, string? field = null) : DomainException(title, detail)
{
    public string? Field { get; } = field;
}

/// <summary>Something else is already under way that this would collide with.</summary>
public abstract class ConflictException(string title, string detail) : DomainException(title, detail);

/// <summary>The request is well-formed but what it names cannot be used for it; nothing was changed.</summary>
public abstract class RefusedException(string title, string detail) : DomainException(title, detail);

/// <summary>A service this depends on (such as the off-site store) did not answer; retrying later may succeed.</summary>
public abstract class UnavailableException(string title, string detail) : DomainException(title, detail);
