using System.CommandLine;
using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Identity.Users;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw users add | list | grant | revoke | totp | reset-password | reset-link | recovery-codes | disable | enable</c>: administration on the gateway's machine, straight against the
/// identity database (this is how the first administrator comes to exist). Every change is audited with the actor
/// <c>local-operator</c>: whoever holds a shell and the data folder acts as the machine, not as a named user.
/// </summary>
internal static class UsersCommands
{
    public static Command Create()
    {
        var users = new Command("users", "Create and list users, change their roles, enable the second factor");
        users.Subcommands.Add(Add());
        users.Subcommands.Add(List());
        users.Subcommands.Add(ChangeRole("grant", "Grant a role to a user"));
        users.Subcommands.Add(ChangeRole("revoke", "Revoke a role from a user"));
        users.Subcommands.Add(Totp());
        users.Subcommands.Add(ResetPassword());
        users.Subcommands.Add(ResetLink());
        users.Subcommands.Add(RecoveryCodes());
        users.Subcommands.Add(ChangeAccount("disable", "Disable an account: no sign-in, and its tokens and web sessions stop working"));
        users.Subcommands.Add(ChangeAccount("enable", "Re-enable a disabled or locked account"));
        return users;
    }

    internal static Option<string[]> RoleOption() => new("--role")
    {
        Description = $"Role(s): {string.Join(", ", Roles.All)}; repeat the option for several",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    private static Option<string> EmailOption() => new("--email") { Description = "The user's e-mail address (the sign-in name)", Required = true };

    private static Command Add()
    {
        var email = EmailOption();
        var role = RoleOption();
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input; otherwise a one-time password is printed once" };
        var command = new Command("add", "Create a user") { email, role, passwordStdin };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            string? password = null;
            if (parse.GetValue(passwordStdin))
                password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r') is { Length: > 0 } line
                    ? line
                    : throw new UsageException("--password-stdin given but standard input has no password line.");
            var created = await services.GetRequiredService<UserAdministration>()
                .CreateUserAsync(parse.GetValue(email)!, parse.GetValue(role)!, password, IdentityCli.Operator(), ct);
            Console.WriteLine($"Created user {created.Id} ({parse.GetValue(email)}) with roles {string.Join(", ", parse.GetValue(role)!)}.");
            if (created.OneTimePassword is { } oneTime)
            {
                Console.WriteLine($"One-time password: {oneTime}");
                Console.WriteLine("It is shown only now. Hand it over privately; the user must replace it at the first sign-in.");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List users with roles, second factor and lockout");
        command.SetAction((_, ct) => IdentityCli.RunAsync(async services =>
        {
            var all = await services.GetRequiredService<UserAdministration>().ListUsersAsync(ct);
            Console.WriteLine($"{"ID",-36}  {"E-MAIL",-32}  {"ROLES",-40}  2FA  STATE");
            foreach (var u in all)
            {
                var state = u.LockedUntil is { } until ? $"locked until {until:u}" : u.MustChangePassword ? "one-time password" : "active";
                Console.WriteLine($"{u.Id,-36}  {u.Email,-32}  {string.Join(",", u.Roles),-40}  {(u.TwoFactorEnabled ? "yes" : "no "),-3}  {state}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ChangeRole(string name, string description)
    {
        var email = EmailOption();
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", Roles.All)}", Required = true };
        var command = new Command(name, description) { email, role };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var administration = services.GetRequiredService<UserAdministration>();
            if (name == "grant") await administration.GrantRoleAsync(parse.GetValue(email)!, parse.GetValue(role)!, IdentityCli.Operator(), ct);
            else await administration.RevokeRoleAsync(parse.GetValue(email)!, parse.GetValue(role)!, IdentityCli.Operator(), ct);
            Console.WriteLine($"{(name == "grant" ? "Granted" : "Revoked")} {parse.GetValue(role)} {(name == "grant" ? "to" : "from")} {parse.GetValue(email)}. Their refresh tokens no longer work.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ChangeAccount(string name, string description)
    {
        var email = EmailOption();
        var command = new Command(name, description) { email };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var administration = services.GetRequiredService<UserAdministration>();
            if (name == "disable") await administration.DisableAsync(parse.GetValue(email)!, IdentityCli.Operator(), ct);
            else await administration.EnableAsync(parse.GetValue(email)!, IdentityCli.Operator(), ct);
            Console.WriteLine($"{(name == "disable" ? "Disabled" : "Enabled")} {parse.GetValue(email)}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ResetPassword()
    {
        var email = EmailOption();
        var command = new Command("reset-password", "A forgotten password: print a one-time password (once) to hand to the user, who must change it at sign-in") { email };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var oneTime = await services.GetRequiredService<UserAdministration>().ResetPasswordAsync(parse.GetValue(email)!, IdentityCli.Operator(), ct);
            Console.WriteLine($"Password of {parse.GetValue(email)} reset; their sessions and tokens have ended. Hand them this one-time password (shown only now):");
            Console.WriteLine($"One-time password: {oneTime}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ResetLink()
    {
        var email = EmailOption();
        var url = new Option<string>("--url")
        {
            Description = "The address people open the gateway at (default: the configured Identity:Issuer)",
        };
        var command = new Command("reset-link",
            "A forgotten password: a one-time link to choose a new one (e-mailed when SMTP is configured; otherwise hand it over)") { email, url };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var gateway = parse.GetValue(url) is { } typed
                ? Uri.TryCreate(typed, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp)
                    ? parsed
                    : throw new UsageException($"--url {typed} is not an http(s) address.")
                : services.GetRequiredService<IdentitySettings>().Issuer
                  ?? throw new UsageException("Give --url (the address people open the gateway at), or set Identity:Issuer in the configuration.");
            var link = await services.GetRequiredService<UserAdministration>().IssueResetLinkAsync(parse.GetValue(email)!, gateway, IdentityCli.Operator(), ct);
            Console.WriteLine(link.Emailed
                ? $"A reset link was e-mailed to {link.Email}. It works once, until {link.ExpiresAt:u}:"
                : $"Hand this link to {link.Email} privately (shown only now; it works once, until {link.ExpiresAt:u}):");
            Console.WriteLine(link.Link);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command RecoveryCodes()
    {
        var email = EmailOption();
        var command = new Command("recovery-codes", "New one-use recovery codes for the second factor (the old ones stop working); printed once") { email };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var codes = await services.GetRequiredService<UserAdministration>().IssueRecoveryCodesAsync(parse.GetValue(email)!, IdentityCli.Operator(), ct);
            Console.WriteLine($"Recovery codes of {parse.GetValue(email)} (each signs in once; shown only now):");
            foreach (var code in codes) Console.WriteLine($"  {code}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Totp()
    {
        var email = EmailOption();
        var command = new Command("totp", "Turn on the authenticator-app second factor; prints the enrolment URI once") { email };
        command.SetAction((parse, ct) => IdentityCli.RunAsync(async services =>
        {
            var uri = await services.GetRequiredService<UserAdministration>().EnableTotpAsync(parse.GetValue(email)!, IdentityCli.Operator(), ct);
            Console.WriteLine("Second factor enabled. Enrol the authenticator app with this URI (shown only now; as a QR code: qrencode -t ansiutf8 '<uri>'):");
            Console.WriteLine(uri);
            var codes = await services.GetRequiredService<UserAdministration>().IssueRecoveryCodesAsync(parse.GetValue(email)!, IdentityCli.Operator(), ct);
            Console.WriteLine("Recovery codes (each signs in once instead of the app's code; shown only now, hand them over with the URI):");
            foreach (var code in codes) Console.WriteLine($"  {code}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}

/// <summary>Builds the identity services the gateway uses, from the configuration the gateway reads.</summary>
internal static class IdentityCli
{
    public static EventMetadata Operator() => new("local-operator", UserAdministration.LocalOperatorRole, Guid.CreateVersion7().ToString("N"));

    public static async Task<int> RunAsync(Func<IServiceProvider, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            var configuration = CliConfiguration.Load();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddEventStore(configuration);
            services.AddIdentityAdministration(configuration);
            if (ReleaseGateway.Requests.Notifications.SmtpSettings.FromConfiguration(configuration) is { Host: not null } smtp)
                services.AddSingleton<IAccountMail>(new ReleaseGateway.Requests.Notifications.SmtpNotificationSender(smtp));
            await using var provider = services.BuildServiceProvider();
            await IdentityDatabase.InitializeAsync(provider, cancellationToken);
            await using var scope = provider.CreateAsyncScope();
            return await action(scope.ServiceProvider);
        }
        catch (UserAdministrationException e)
        {
            Console.Error.WriteLine($"error: {e.Message} ({e.Code})");
            return ExitCodes.UsageOrConnection;
        }
        catch (Exception e) when (e is UsageException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (DbException e)
        {
            Console.Error.WriteLine($"error: cannot reach the identity database: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
    }
}
