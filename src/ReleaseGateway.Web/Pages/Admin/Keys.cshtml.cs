using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.Identity.Keys;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Admin;

/// <summary>Both key rings, read only: which key signs tokens and protects cookies now, their ages, and when the next rotation is due.</summary>
[Authorize(Policy = WebPolicies.Admin)]
public sealed class KeysModel(KeyRotationStatus status) : GatewayPageModel
{
    public KeyRotationReport Report { get; private set; } = null!;

    public void OnGet() => Report = status.Read();

    public static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays} day{((int)age.TotalDays == 1 ? "" : "s")}"
        : age.TotalHours >= 1 ? $"{(int)age.TotalHours} h"
        : $"{Math.Max(0, (int)age.TotalMinutes)} min";
}
