using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Identity.Users;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw clients add | list</c>: registers a service client (client-credentials flow) and prints its secret once; lists the clients.</summary>
internal static class ClientsCommands
{
    public static Command Create()
    {
        var clients = new Command("clients", "Register service clients (e.g. a hospital's export pipeline)");
        clients.Subcommands.Add(Add());
        clients.Subcommands.Add(List());
        return clients;
    }

    private static Command List()
    {
        var command = new Command("list", "List the OAuth clients with their type, roles and grant types (never a secret)");
        command.SetAction((_, ct) => IdentityCli.RunAsync(async services =>
        {
            var all = await services.GetRequiredService<UserAdministration>().ListClientsAsync(ct);
            Console.WriteLine($"{"CLIENT ID",-40}  {"TYPE",-12}  {"ROLES",-30}  {"GRANTS",-40}  NAME");
            foreach (var c in all)
                Console.WriteLine($"{c.ClientId,-40}  {c.ClientType,-12}  {string.Join(",", c.Roles),-30}  {string.Join(",", c.GrantTypes),-40}  {c.DisplayName}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Add()
    {
        var name = new Option<string>("--name") { Description = "A display name, e.g. 'Ward 7 export pipeline'", Required = true };
        var role = UsersCommands.RoleOption();
        var command = new Command("add", "Register a confidential client; prints client id and secret once") { name, role };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var client = await services.GetRequiredService<UserAdministration>()
                .RegisterServiceClientAsync(parse.GetValue(name)!, parse.GetValue(role)!, IdentityCli.Operator(), ct);
            Console.WriteLine($"client_id:     {client.ClientId}");
            Console.WriteLine($"client_secret: {client.ClientSecret}");
            Console.WriteLine("The secret is shown only now; only its hash is stored. Token request:");
            Console.WriteLine($"  POST /connect/token  grant_type=client_credentials&client_id={client.ClientId}&client_secret=...&scope=rgw.api");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
