using System.Security.Cryptography;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Backups;

/// <summary>
/// The copy every backup, restore and drill makes: files the test databases are too small for, spanning several of the
/// chunks handed to the disk as the copy goes (<see cref="WriteBehind"/>) and a last buffer that is not full.
/// </summary>
public sealed class LargeFileCopyTests
{
    private const int Size = (int)(WriteBehind.ChunkBytes * 2) + (3 << 20) + 4321;

    [Fact]
    public void CopySpanningSeveralWriteBehindChunksIsTheSourceByteForByteWithItsSha256()
    {
        using var directory = new TempDirectory("campaigns-copy");
        var source = Path.Combine(directory.Path, "source.bin");
        var bytes = RandomBytes();
        File.WriteAllBytes(source, bytes);
        var destination = Path.Combine(directory.Path, "copy.bin");

        var sha256 = SqliteFile.CopyWithSha256(source, bytes.Length, destination, first => first[0] ^= 0xFF);

        var copied = File.ReadAllBytes(destination);
        Assert.Equal(bytes.Length, copied.Length);
        Assert.Equal((byte)(bytes[0] ^ 0xFF), copied[0]); // the patch goes into the first buffer only, before it is hashed
        bytes[0] ^= 0xFF;
        Assert.True(bytes.AsSpan().SequenceEqual(copied));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(copied)), sha256);
    }

    [Fact]
    public void CopyOfAPrefixStopsAtTheLengthAndRefusesASourceThatEndsEarly()
    {
        using var directory = new TempDirectory("campaigns-copy");
        var source = Path.Combine(directory.Path, "source.bin");
        var bytes = RandomBytes();
        File.WriteAllBytes(source, bytes);
        var prefix = (long)WriteBehind.ChunkBytes + 1;

        var sha256 = SqliteFile.CopyWithSha256(source, prefix, Path.Combine(directory.Path, "prefix.bin"));

        Assert.Equal(prefix, new FileInfo(Path.Combine(directory.Path, "prefix.bin")).Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, (int)prefix))), sha256);
        var error = Assert.Throws<IOException>(() => SqliteFile.CopyWithSha256(source, bytes.Length + 1L, Path.Combine(directory.Path, "long.bin")));
        Assert.Contains("ended 1 bytes before", error.Message);
    }

    [Fact]
    public void Sha256OfAFileIsTheHashOfAllItsBytes()
    {
        using var directory = new TempDirectory("campaigns-copy");
        var path = Path.Combine(directory.Path, "file.bin");
        var bytes = RandomBytes();
        File.WriteAllBytes(path, bytes);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), SqliteFile.Sha256Of(path));
    }

    private static byte[] RandomBytes()
    {
        var bytes = new byte[Size];
        new Random(12).NextBytes(bytes);
        return bytes;
    }
}
