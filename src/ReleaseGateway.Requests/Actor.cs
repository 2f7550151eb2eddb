namespace ReleaseGateway.Requests;

/// <summary>Who issues a command: the stable user or client id from the token and the roles it holds.</summary>
public sealed record Actor(string Id, IReadOnlySet<string> Roles)
{
    public static Actor Of(string id, params string[] roles) => new(id, roles.ToHashSet(StringComparer.Ordinal));

    public bool IsIn(string role) => Roles.Contains(role);
}
