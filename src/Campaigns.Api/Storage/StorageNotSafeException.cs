namespace Campaigns.Api.Storage;

/// <summary>Thrown at startup when running would put data on storage that will not survive the next deploy.</summary>
public sealed class StorageNotSafeException(string message) : Exception(message);
