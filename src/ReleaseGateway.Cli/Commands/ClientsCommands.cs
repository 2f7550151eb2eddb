using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Identity.Users;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw clients add</c>: registers a service client (client-credentials flow) and prints its secret once.</summary>
internal static class ClientsCommands
{
    public static Command Create()
    {
        var clients = new Command("clients", "Register service clients (e.g. a hospital's export pipeline)");
        clients.Subcommands.Add(Add());
        return clients;
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
