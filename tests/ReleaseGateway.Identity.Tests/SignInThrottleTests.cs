using System.Net;
using ReleaseGateway.Identity;
using ReleaseGateway.Identity.SignIn;

namespace ReleaseGateway.Identity.Tests;

/// <summary>Failed sign-ins counted per account and source address, with doubling blocks (ADR 0029).</summary>
public sealed class SignInThrottleTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly IdentitySettings Settings = new() { DataDirectory = "unused", MaxFailedAccessAttempts = 3, LockoutDuration = TimeSpan.FromMinutes(15) };

    private readonly Clock _clock = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Given_FailuresFromOneSource_When_TheLimitIsReached_Then_OnlyThatSourceIsBlockedForThatAccount()
    {
        var throttle = new SignInThrottle(Settings, _clock);
        var attacker = SignInThrottle.Key("Alice@Example.test ", IPAddress.Parse("203.0.113.9"));

        Assert.Null(throttle.RecordFailure(attacker));
        Assert.Null(throttle.RecordFailure(attacker));
        var block = throttle.RecordFailure(attacker);

        Assert.Equal((1, _clock.Now.AddMinutes(15)), block);
        Assert.True(throttle.IsBlocked(SignInThrottle.Key("alice@example.test", IPAddress.Parse("203.0.113.9"))));
        Assert.False(throttle.IsBlocked(SignInThrottle.Key("alice@example.test", IPAddress.Parse("198.51.100.1"))));
        Assert.False(throttle.IsBlocked(SignInThrottle.Key("bob@example.test", IPAddress.Parse("203.0.113.9"))));
    }

    [Fact]
    public void Given_ABlockThatEnded_When_FailuresGoOn_Then_TheNextBlockLastsTwiceAsLong()
    {
        var throttle = new SignInThrottle(Settings, _clock);
        var key = SignInThrottle.Key("alice@example.test", IPAddress.Loopback);
        for (var i = 0; i < 3; i++) throttle.RecordFailure(key);
        _clock.Now = _clock.Now.AddMinutes(15);
        Assert.False(throttle.IsBlocked(key));

        throttle.RecordFailure(key);
        throttle.RecordFailure(key);
        var second = throttle.RecordFailure(key);

        Assert.Equal((2, _clock.Now.AddMinutes(30)), second);
        Assert.True(throttle.IsBlocked(key));
    }

    [Fact]
    public void Given_Failures_When_ThePasswordIsRight_Then_TheCountStartsAgain()
    {
        var throttle = new SignInThrottle(Settings, _clock);
        var key = SignInThrottle.Key("alice@example.test", IPAddress.Loopback);
        throttle.RecordFailure(key);
        throttle.RecordFailure(key);

        throttle.RecordSuccess(key);

        Assert.Null(throttle.RecordFailure(key));
        Assert.Null(throttle.RecordFailure(key));
        Assert.False(throttle.IsBlocked(key));
    }
}
