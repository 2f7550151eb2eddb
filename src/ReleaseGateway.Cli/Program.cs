using System.CommandLine;
using ReleaseGateway.Cli;

// rgw: one root command; each module contributes its commands from Commands/.
var root = new RootCommand("rgw — ReleaseGateway command line");
root.Subcommands.Add(AuditCommands.Create());

return await root.Parse(args).InvokeAsync();
