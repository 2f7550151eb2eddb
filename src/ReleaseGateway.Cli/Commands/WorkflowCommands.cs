using System.CommandLine;
using ReleaseGateway.Requests.Definitions;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw workflow render [--dir workflows] [--check]</c>: writes NAME.mmd beside each NAME.yaml; exit 1 when a definition is invalid (or, with --check, a diagram is stale).</summary>
internal static class WorkflowCommands
{
    public static Command Create()
    {
        var workflow = new Command("workflow", "Workflow definitions (workflows/*.yaml)");
        workflow.Subcommands.Add(Render());
        return workflow;
    }

    private static Command Render()
    {
        var directory = new Option<DirectoryInfo>("--dir") { Description = "Folder of workflow definitions (default: ./workflows)" };
        var check = new Option<bool>("--check") { Description = "Write nothing; exit 1 if a committed diagram differs from its definition" };
        var command = new Command("render", "Validate every definition and write its Mermaid state diagram next to it") { directory, check };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(directory)?.FullName ?? Path.GetFullPath("workflows");
            WorkflowCatalog catalog;
            try
            {
                catalog = WorkflowCatalog.LoadDirectory(dir);
            }
            catch (DefinitionException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            var stale = 0;
            foreach (var definition in catalog.All.Values.OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                var target = Path.ChangeExtension(definition.SourceFile, ".mmd");
                var mermaid = WorkflowMachine.RenderMermaid(definition);
                var current = File.Exists(target) ? File.ReadAllText(target).ReplaceLineEndings("\n") : null;
                if (current == mermaid)
                {
                    Console.WriteLine($"{target}: up to date");
                    continue;
                }
                if (parse.GetValue(check))
                {
                    Console.Error.WriteLine($"{target}: differs from {Path.GetFileName(definition.SourceFile)}; run `rgw workflow render`");
                    stale++;
                    continue;
                }
                File.WriteAllText(target, mermaid);
                Console.WriteLine($"{target}: written");
            }
            return stale == 0 ? 0 : 1;
        });
        return command;
    }
}
