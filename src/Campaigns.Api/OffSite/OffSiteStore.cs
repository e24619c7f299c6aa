using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

public sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified);

/// <summary>The store refused, failed, timed out, or gave back other bytes than were sent.</summary>
public sealed class OffSiteStoreException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The store refuses these settings (401/403, no such bucket): fixing a setting helps, waiting does not.</summary>
    public bool IsConfigurationProblem => InnerException is AmazonS3Exception s3 && (s3.ErrorCode == "NoSuchBucket" || (int)s3.StatusCode is 401 or 403);
}

/// <summary>
/// The S3 API, configured for S3-compatible servers (Railway Buckets, R2, B2, MinIO, s3rver): path-style addressing,
/// no aws-chunked bodies (some servers store the chunk framing as the object), checksums only where the API requires
/// them. Every upload is checked by content, not only by status: the ETag a single-part PUT returns is the MD5 of what
/// the server stored, and it must equal the MD5 of what was sent.
/// </summary>
public sealed class OffSiteStore : IDisposable
{
    public const string Sha256Metadata = "sha256";

    private readonly OffSiteOptions _options;
    private readonly Lock _creatingClient = new();

    // Not a Lazy<AmazonS3Client>: constructing that loads the AWS SDK's assemblies, and this store is constructed on
    // every start's path to ready, with off-site copies on or off (docs/benchmarks.md, issue 12).
    private AmazonS3Client? _client;

    public OffSiteStore(IOptions<OffSiteOptions> options)
    {
        _options = options.Value;
    }

    public string Name => _options.StoreName;

    public string Prefix => _options.Prefix;

    private AmazonS3Client Client
    {
        get
        {
            lock (_creatingClient)
            {
                return _client ??= CreateClient();
            }
        }
    }

    private AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config
        {
            ServiceURL = _options.Endpoint,
            ForcePathStyle = _options.ForcePathStyle,
            AuthenticationRegion = _options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(Math.Max(5, _options.WriteTimeoutSeconds)),
            MaxErrorRetry = 2,
        };
        AWSCredentials credentials = string.IsNullOrWhiteSpace(_options.AccessKeyId)
            ? new AnonymousAWSCredentials()
            : new BasicAWSCredentials(_options.AccessKeyId, _options.SecretAccessKey);
        return new AmazonS3Client(credentials, config);
    }

    /// <summary>Stores <paramref name="body"/> under <paramref name="key"/> with its sha256 in the metadata, and checks the stored bytes' MD5.</summary>
    public async Task PutAsync(string key, byte[] body, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            InputStream = new MemoryStream(body, writable: false),
            UseChunkEncoding = false,
            ContentType = "application/octet-stream",
            AutoCloseStream = true,
        };
        request.Metadata.Add(Sha256Metadata, Convert.ToHexStringLower(SHA256.HashData(body)));
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Metadata.Add(name, value);
        }

        var response = await Call(() => Client.PutObjectAsync(request, cancellationToken), $"store {key}");
        var expected = Convert.ToHexStringLower(MD5.HashData(body));
        var etag = response.ETag?.Trim('"') ?? "";
        if (!string.Equals(etag, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new OffSiteStoreException($"The store {Name} answered the upload of {key} with ETag '{etag}', not the MD5 of the {body.Length} bytes sent ({expected}): it stored something else.");
        }
    }

    /// <summary>The object's bytes, checked against the sha256 in its metadata.</summary>
    public async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await Call(() => Client.GetObjectAsync(_options.Bucket, key, cancellationToken), $"read {key}");
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        var recorded = response.Metadata[Sha256Metadata];
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(recorded, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new OffSiteStoreException($"{key} in {Name} does not match its recorded sha256 ({actual}, recorded '{recorded}').");
        }

        return bytes;
    }

    /// <summary>Every key under a prefix, by plain (flat) listing: no delimiter, which not every S3-compatible server supports.</summary>
    public async Task<List<StoredObject>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var found = new List<StoredObject>();
        string? marker = null;
        do
        {
            var request = new ListObjectsRequest { BucketName = _options.Bucket, Prefix = prefix, Marker = marker, MaxKeys = 1000 };
            var page = await Call(() => Client.ListObjectsAsync(request, cancellationToken), $"list {prefix}");
            var objects = page.S3Objects ?? [];
            found.AddRange(objects.Select(o => new StoredObject(o.Key, o.Size ?? 0, o.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime(), TimeSpan.Zero) : default)));
            marker = page.IsTruncated == true && objects.Count > 0 ? objects[^1].Key : null;
        }
        while (marker is not null);

        return found;
    }

    public async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            await Call(() => Client.DeleteObjectAsync(_options.Bucket, key, cancellationToken), $"delete {key}");
        }
    }

    /// <summary>Answers at all, with this bucket and these credentials: a cheap listing of one key.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken) =>
        Call(() => Client.ListObjectsAsync(new ListObjectsRequest { BucketName = _options.Bucket, Prefix = _options.Prefix, MaxKeys = 1 }, cancellationToken), "list the bucket");

    private async Task<T> Call<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new OffSiteStoreException($"The store {Name} refused to {what} ({(int)ex.StatusCode} {ex.ErrorCode}): check {OffSiteOptions.SectionName}:AccessKeyId and {OffSiteOptions.SectionName}:SecretAccessKey.", ex);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            throw new OffSiteStoreException($"The store {Name} has no bucket '{_options.Bucket}': check {OffSiteOptions.SectionName}:Bucket.", ex);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey")
        {
            throw new OffSiteStoreException($"{what}: no such object in {Name}.", ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TaskCanceledException or TimeoutException)
        {
            throw new OffSiteStoreException($"The store {Name} could not {what}: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        lock (_creatingClient)
        {
            _client?.Dispose();
        }
    }
}
