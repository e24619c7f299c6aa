using System.Text;
using Campaigns.Api.OffSite;
using Microsoft.Extensions.Options;

namespace Campaigns.Tests.OffSite;

public sealed class OffSiteStoreTests
{
    [S3Fact]
    public async Task UploadsAreStoredByteForByteAndListedUnderFlatPrefixes()
    {
        using var s3 = new TestS3();
        using var store = new OffSiteStore(Options.Create(Bind(s3.Settings())));
        var body = Encoding.UTF8.GetBytes("7 bytes");

        await store.PutAsync("campaigns/a/journal/0001", body, CancellationToken.None);
        await store.PutAsync("campaigns/a/journal/0002", [1, 2, 3], CancellationToken.None);
        await store.PutAsync("campaigns/b/journal/0001", [4], CancellationToken.None);

        Assert.Equal(body, await store.GetAsync("campaigns/a/journal/0001", CancellationToken.None));
        var listed = await store.ListAsync("campaigns/a/journal/", CancellationToken.None);
        Assert.Equal(["campaigns/a/journal/0001", "campaigns/a/journal/0002"], listed.Select(o => o.Key));
        Assert.Equal(7, listed[0].Size);
    }

    [S3Fact]
    public async Task AStoreThatIsDownIsReportedByName()
    {
        using var s3 = new TestS3();
        var options = Bind(s3.Settings());
        using var store = new OffSiteStore(Options.Create(options));
        s3.Stop();

        var error = await Assert.ThrowsAsync<OffSiteStoreException>(() => store.PutAsync("campaigns/x", [1], CancellationToken.None));
        Assert.Contains($"127.0.0.1:{s3.Port}/{TestS3.Bucket}", error.Message);
        Assert.DoesNotContain(TestS3.Key, error.Message);
    }

    internal static OffSiteOptions Bind(IDictionary<string, string?> settings)
    {
        var options = new OffSiteOptions();
        foreach (var (key, value) in settings)
        {
            var property = typeof(OffSiteOptions).GetProperty(key["OffSite:".Length..])!;
            property.SetValue(options, property.PropertyType == typeof(int) ? int.Parse(value!, System.Globalization.CultureInfo.InvariantCulture) : value);
        }

        return options;
    }
}
