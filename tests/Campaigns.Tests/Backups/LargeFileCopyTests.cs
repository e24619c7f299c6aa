using System.Security.Cryptography;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Backups;

/// <summary>
/// The copy every backup, restore and drill makes: files the test databases are too small for, spanning several of the
/// chunks handed to the disk as the copy goes (<see cref="WriteBehind"/>), or to the kernel (<see cref="KernelCopy"/>, a
/// restore's copy), and a last buffer that is not full.
/// </summary>
public sealed class LargeFileCopyTests
{
    private const int Size = (int)(WriteBehind.ChunkBytes * 2) + (3 << 20) + 4321;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CopySpanningSeveralWriteBehindChunksIsTheSourceByteForByteWithItsSha256(bool hashBeside)
    {
        using var directory = new TempDirectory("campaigns-copy");
        var (source, bytes) = RandomFile(directory);
        var destination = directory.Combine("copy.bin");

        var sha256 = SqliteFile.CopyWithSha256(source, bytes.Length, destination, hashBeside, first => first[0] ^= 0xFF);

        var copied = File.ReadAllBytes(destination);
        Assert.Equal(bytes.Length, copied.Length);
        Assert.Equal((byte)(bytes[0] ^ 0xFF), copied[0]); // the patch goes into the first buffer only, before it is hashed
        bytes[0] ^= 0xFF;
        Assert.True(bytes.AsSpan().SequenceEqual(copied));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(copied)), sha256);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CopyOfAPrefixStopsAtTheLengthAndRefusesASourceThatEndsEarly(bool hashBeside)
    {
        using var directory = new TempDirectory("campaigns-copy");
        var (source, bytes) = RandomFile(directory);
        var prefix = WriteBehind.ChunkBytes + 1;

        var sha256 = SqliteFile.CopyWithSha256(source, prefix, directory.Combine("prefix.bin"), hashBeside);

        Assert.Equal(prefix, new FileInfo(directory.Combine("prefix.bin")).Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, (int)prefix))), sha256);
        var error = Assert.Throws<IOException>(() => SqliteFile.CopyWithSha256(source, bytes.Length + 1L, directory.Combine("long.bin"), hashBeside));
        Assert.Contains("ended 1 bytes before", error.Message);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)] // a backup's copy while a request is served: its header patched, its chunks handed to the disk as it goes, paused for the request
    public void KernelCopySpanningSeveralChunksIsTheSourceByteForByteWithItsSha256(bool patch, bool whileServing)
    {
        using var directory = new TempDirectory("campaigns-copy");
        var (source, bytes) = RandomFile(directory);
        var destination = directory.Combine("copy.bin");
        var requests = new RequestActivity();
        var giveWay = whileServing ? new GiveWay(requests) : null;
        requests.Started();

        var sha256 = KernelCopy.TryCopyWithSha256(source, bytes.Length, destination, patch ? first => first[19] ^= 0xFF : null, giveWay);

        Assert.NotNull(sha256); // Linux copies inside one file system: the path every restore and backup on the volume takes
        if (patch)
        {
            bytes[19] ^= 0xFF;
        }

        var copied = File.ReadAllBytes(destination);
        Assert.True(bytes.AsSpan().SequenceEqual(copied));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(copied)), sha256);
    }

    [Fact]
    public void KernelCopyOfAPrefixStopsAtTheLengthAndRefusesASourceThatEndsEarly()
    {
        using var directory = new TempDirectory("campaigns-copy");
        var (source, bytes) = RandomFile(directory);
        var prefix = WriteBehind.ChunkBytes + 1;

        var sha256 = KernelCopy.TryCopyWithSha256(source, prefix, directory.Combine("prefix.bin"));

        Assert.Equal(prefix, new FileInfo(directory.Combine("prefix.bin")).Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, (int)prefix))), sha256);
        var error = Assert.Throws<IOException>(() => KernelCopy.TryCopyWithSha256(source, bytes.Length + 1L, directory.Combine("long.bin")));
        Assert.Contains("ended 1 bytes before", error.Message);
    }

    [Fact]
    public void Sha256OfAFileIsTheHashOfAllItsBytes()
    {
        using var directory = new TempDirectory("campaigns-copy");
        var (path, bytes) = RandomFile(directory);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), SqliteFile.Sha256Of(path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, 1000))), SqliteFile.Sha256Of(path, 1000));
        Assert.Throws<IOException>(() => SqliteFile.Sha256Of(path, bytes.Length + 1L));
    }

    private static (string Path, byte[] Bytes) RandomFile(TempDirectory directory)
    {
        var bytes = new byte[Size];
        new Random(12).NextBytes(bytes);
        var path = directory.Combine("source.bin");
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }
}
