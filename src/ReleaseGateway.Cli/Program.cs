using System.CommandLine;
using ReleaseGateway.Cli;
using ReleaseGateway.EventStore;

// Whatever rgw writes (identity.db, keys, credentials, exports, synthetic tables) is for its user only.
DataFolder.CreateOwnerOnlyFromNowOn();

// rgw: one root command; each module contributes its commands from Commands/.
var root = new RootCommand("rgw — ReleaseGateway command line");
root.Subcommands.Add(AuditCommands.Create());
root.Subcommands.Add(UsersCommands.Create());
root.Subcommands.Add(BootstrapCommand.Create());
root.Subcommands.Add(ClientsCommands.Create());
foreach (var command in LoginCommands.Create()) root.Subcommands.Add(command);
root.Subcommands.Add(SynthCommands.Create().WithPluginMethods());
root.Subcommands.Add(WorkflowCommands.Create());
root.Subcommands.Add(EvaluateCommands.Create());
root.Subcommands.Add(EvaluateCommands.CreateSplit());
root.Subcommands.Add(DatasetsCommands.Create());
root.Subcommands.Add(CommitteesCommands.Create());
root.Subcommands.Add(NotificationsCommands.Create());
root.Subcommands.Add(RequestsCommands.Create());
root.Subcommands.Add(BudgetCommands.Create());
root.Subcommands.Add(ReleaseCommands.Create());
root.Subcommands.Add(AgreementsCommands.Create());

// A command line that does not parse is a usage error: exit 2, as the README says (System.CommandLine answers 1).
var parsed = root.Parse(args);
var exit = await parsed.InvokeAsync();
return parsed.Errors.Count > 0 ? 2 : exit;
