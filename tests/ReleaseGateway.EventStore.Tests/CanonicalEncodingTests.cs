using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Tests;

public sealed class CanonicalEncodingTests
{
    /// <summary>The worked example in audit/CANONICAL-ENCODING.md; if this changes, every stored chain breaks.</summary>
    public static readonly StoredEvent DocumentedExample = new(
        1, Guid.Parse("0193a5b2-7c4e-7d2a-9f10-3b5c6d7e8f90"), 1, "AccessRequestSubmitted", 1,
        """{"requestId":"0193a5b2-7c4e-7d2a-9f10-3b5c6d7e8f90","epsilon":1.0}""",
        new EventMetadata("user-7", "Researcher", "corr-42", null),
        new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero).AddTicks(1234560),
        ChainHead.GenesisHash, "", null);

    [Fact]
    public void Given_DocumentedExample_When_Hashed_Then_ItMatchesTheValuePublishedInTheSpecification()
    {
        Assert.Equal("2026-11-23T12:00:00.123456Z", CanonicalEncoding.FormatTimestamp(DocumentedExample.Timestamp));
        Assert.Equal(ReadPublishedHash(), CanonicalEncoding.ComputeHash(DocumentedExample));
    }

    [Fact]
    public void Given_NullAndEmptyCausation_When_Encoded_Then_TheEncodingsDiffer()
    {
        var withEmpty = DocumentedExample with { Metadata = DocumentedExample.Metadata with { CausationId = "" } };
        Assert.NotEqual(CanonicalEncoding.ComputeHash(DocumentedExample), CanonicalEncoding.ComputeHash(withEmpty));
    }

    [Theory]
    [InlineData("2026-11-23T12:00:00.123456Z")]
    [InlineData("1999-12-31T23:59:59.999999Z")]
    public void Given_Timestamp_When_EncodedAndDecoded_Then_ItRoundTripsExactly(string text) =>
        Assert.Equal(text, CanonicalEncoding.FormatTimestamp(CanonicalEncoding.ParseTimestamp(text)));

    [Theory]
    [InlineData("2026-11-23 12:00:00.123456Z")]
    [InlineData("2026-13-23T12:00:00.123456Z")]
    [InlineData("2026-11-23T12:00:00Z")]
    public void Given_MalformedTimestamp_When_Decoded_Then_FormatError(string text) =>
        Assert.Throws<FormatException>(() => CanonicalEncoding.ParseTimestamp(text));

    private static string ReadPublishedHash()
    {
        var doc = File.ReadAllText(Path.Combine(Testing.RepositoryPaths.Root, "audit", "CANONICAL-ENCODING.md"));
        const string marker = "expected hash: `";
        var start = doc.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return doc[start..doc.IndexOf('`', start)];
    }
}
