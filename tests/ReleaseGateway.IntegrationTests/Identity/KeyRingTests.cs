using Microsoft.IdentityModel.Tokens;
using ReleaseGateway.Identity.Keys;

namespace ReleaseGateway.IntegrationTests.Identity;

/// <summary>The token keys on disk: generated once, reused, rotated, retired.</summary>
public sealed class KeyRingTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromDays(90);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rgw-keys-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Given_NoKeys_When_StartedAndRestarted_Then_KeysAreGeneratedOwnerOnlyAndReused()
    {
        var first = KeyRing.LoadOrCreate(_directory, Period, Start);
        var second = KeyRing.LoadOrCreate(_directory, Period, Start.AddDays(1));

        Assert.Single(first.Signing);
        Assert.Equal(first.Signing[0].FileName, second.Signing[0].FileName);
        Assert.Equal(first.Encryption[0].FileName, second.Encryption[0].FileName);
        Assert.Equal(((RsaSecurityKey)first.Signing[0].Key).Rsa.ExportParameters(false).Modulus, ((RsaSecurityKey)second.Signing[0].Key).Rsa.ExportParameters(false).Modulus);
        if (OperatingSystem.IsWindows()) return;
        foreach (var file in Directory.GetFiles(_directory))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Given_RotationPeriodPassed_When_Started_Then_ANewKeySignsAndThePreviousStillValidates()
    {
        var first = KeyRing.LoadOrCreate(_directory, Period, Start);

        var rotated = KeyRing.LoadOrCreate(_directory, Period, Start + Period);

        Assert.Equal(2, rotated.Signing.Count);
        Assert.NotEqual(first.Signing[0].FileName, rotated.Signing[0].FileName);
        Assert.Equal(first.Signing[0].FileName, rotated.Signing[1].FileName);
        Assert.Equal(2, rotated.Encryption.Count);
    }

    [Fact]
    public void Given_TwoRotationPeriodsPassed_When_Started_Then_TheOldKeyIsNoLongerLoaded()
    {
        var first = KeyRing.LoadOrCreate(_directory, Period, Start);
        KeyRing.LoadOrCreate(_directory, Period, Start + Period);

        var later = KeyRing.LoadOrCreate(_directory, Period, Start + 2 * Period);

        Assert.DoesNotContain(later.Signing, k => k.FileName == first.Signing[0].FileName);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
