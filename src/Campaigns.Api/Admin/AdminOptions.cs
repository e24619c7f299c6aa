namespace Campaigns.Api.Admin;

public sealed class AdminOptions
{
    /// <summary>Read from ADMIN_API_KEY. Unset means every admin endpoint stays locked.</summary>
    public string? ApiKey { get; set; }

    public const int MinimumKeyLength = 16;
}
