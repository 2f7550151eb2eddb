using System.CommandLine;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Releases.Budget;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw budget show DATASET</c>: a dataset's privacy budget ledger (data stewards, committee members, compliance officers).</summary>
internal static class BudgetCommands
{
    public static Command Create()
    {
        var budget = new Command("budget", "Read a dataset's privacy budget ledger");
        budget.Subcommands.Add(Show());
        return budget;
    }

    private static Command Show()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var command = new Command("show", "Cap, spent, committed and remaining ε of a dataset, and every release on its ledger") { credentials, dataset };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var ledger = await gateway.GetAsync<BudgetLedgerView>($"/datasets/{target.Id}/budget", ct);
            Console.WriteLine($"Privacy budget of {target.Name} ({ledger.DatasetId}), composed in zCDP and shown as (ε, δ = {ledger.CapDelta:G3}):");
            Console.WriteLine($"  cap        ε {ledger.CapEpsilon,7:0.###}   at most {ledger.MaxReleases} releases");
            Console.WriteLine($"  spent      ε {ledger.EpsilonSpent,7:0.###}   charged when generation started; never refunded");
            Console.WriteLine($"  committed  ε {ledger.EpsilonCommitted,7:0.###}   spent + reserved by approved requests");
            Console.WriteLine($"  remaining  ε {ledger.RemainingEpsilon,7:0.###}   the largest ε one more release may still have");
            Console.WriteLine($"  releases   {ledger.Releases}");
            if (ledger.Entries.Count == 0) return ExitCodes.Ok;
            Console.WriteLine($"  {"RELEASE",-36}  {"REQUEST",-36}  {"ε ASKED",7}  {"ε AT δ",7}  {"",-8}  {"SINCE",-20}  DP BINNING");
            foreach (var line in ledger.Entries)
                Console.WriteLine($"  {line.ReleaseId,-36}  {line.RequestId,-36}  {line.Epsilon,7:0.###}  {line.EpsilonAtCapDelta,7:0.###}  " +
                                  $"{(line.Charged ? "charged" : "reserved"),-8}  {line.At,-20:u}  " +
                                  (line.BinningRho > 0 ? FormattableString.Invariant($"ρ {line.BinningRho:G3} (alone ε {line.BinningEpsilon:0.###})") : "none"));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
