namespace Campaigns.Seed.Commands;

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int InvalidInput = 2;
    public const int NotFound = 3;
}
