using ReleaseGateway.Identity.Users;

namespace ReleaseGateway.Cli.Gateway;

/// <summary>
/// E-mail addresses for the actor ids a view carries, asked of the gateway once per command (<c>GET /api/people</c>): staff
/// read people, not ids (issue 15, row 8). A researcher is refused that endpoint and needs none: the gateway already shows
/// them roles ("committee", "data steward"), never another person's id.
/// </summary>
internal sealed class PeopleNames
{
    private readonly IReadOnlyDictionary<string, string> _names;

    private PeopleNames(IReadOnlyDictionary<string, string> names) => _names = names;

    public static async Task<PeopleNames> ResolveAsync(GatewayClient gateway, IEnumerable<string> ids, CancellationToken ct)
    {
        var wanted = ids.Where(id => Guid.TryParse(id, out _)).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return new PeopleNames(new Dictionary<string, string>());
        try
        {
            var query = string.Join("&", wanted.Select(id => "id=" + Uri.EscapeDataString(id)));
            var people = await gateway.GetAsync<List<Person>>($"/api/people?{query}", ct);
            return new PeopleNames(people.ToDictionary(p => p.Id, p => p.Name, StringComparer.Ordinal));
        }
        catch (GatewayRefusedException e) when (e.Status == 403)
        {
            return new PeopleNames(new Dictionary<string, string>());
        }
    }

    public string Name(string id) => _names.TryGetValue(id, out var name) ? name : id;
}
