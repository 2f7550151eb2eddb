using System.CommandLine;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw committees list | form | add-member | remove-member | assign</c>: data-access committees and the datasets they decide
/// (docs/committees.md). The gateway decides who may: administrators form committees; administrators and chairs change seats;
/// the registering steward names a dataset's committee.
/// </summary>
internal static class CommitteesCommands
{
    public static Command Create()
    {
        var committees = new Command("committees", "Data-access committees: list, form, change members, name a dataset's committee");
        committees.Subcommands.Add(List());
        committees.Subcommands.Add(Form());
        committees.Subcommands.Add(Member("add-member", "Add a member, or change whether they chair (administrators and chairs)", remove: false));
        committees.Subcommands.Add(Member("remove-member", "Remove a member (administrators and chairs)", remove: true));
        committees.Subcommands.Add(Assign());
        return committees;
    }

    private static Argument<string> CommitteeArgument() => new("COMMITTEE") { Description = "The committee's id or its name" };

    private static Command List()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var command = new Command("list", "Every committee with its quorum, recusal rule and members (members shown to staff)") { credentials };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var all = await gateway.GetAsync<List<CommitteeView>>("/committees", ct);
            Console.WriteLine($"{"ID",-36}  {"NAME",-20}  {"MEMBERS",7}  {"RECUSAL",-13}  QUORUM");
            foreach (var c in all)
            {
                Console.WriteLine($"{c.Id,-36}  {c.Name,-20}  {c.MemberCount,7}  {c.Recusal,-13}  {c.Quorum}");
                foreach (var m in c.Members ?? []) Console.WriteLine($"    {m.Id}{(m.Chair ? "  (chair)" : "")}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Form()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var name = new Option<string>("--name") { Description = "Lower-case name, unique", Required = true };
        var description = new Option<string>("--description") { Description = "Whom the committee serves", Required = true };
        var approvals = new Option<int?>("--approvals") { Description = "Own quorum: approvals that approve (default: the workflow's)" };
        var rejections = new Option<int?>("--rejections") { Description = "Own quorum: rejections that reject (with --approvals; default 1)" };
        var majority = new Option<bool>("--majority") { Description = "Own quorum: a majority of the members" };
        var recusal = new Option<string?>("--recusal") { Description = $"How a recusal counts: {string.Join(" or ", RecusalRules.All)}" };
        var command = new Command("form", "Form a committee (administrators)") { credentials, name, description, approvals, rejections, majority, recusal };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var formed = await gateway.SendJsonAsync<CommitteeView>(HttpMethod.Post, "/committees", new FormCommittee(parse.GetValue(name)!,
                parse.GetValue(description)!, parse.GetValue(approvals), parse.GetValue(rejections), parse.GetValue(majority), parse.GetValue(recusal)), ct);
            Console.WriteLine($"Formed committee {formed.Name} ({formed.Id}); quorum: {formed.Quorum}; recusal: {formed.Recusal}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Member(string verb, string description, bool remove)
    {
        var credentials = GatewayOptions.CredentialsFile();
        var committee = CommitteeArgument();
        var member = new Argument<string>("USER") { Description = "The member's user id" };
        var chair = new Option<bool>("--chair") { Description = "Make them a chair" };
        var command = new Command(verb, description) { credentials, committee, member };
        if (!remove) command.Options.Add(chair);
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await gateway.GetAsync<CommitteeView>($"/committees/{Uri.EscapeDataString(parse.GetValue(committee)!)}", ct);
            var memberId = parse.GetValue(member)!;
            var changed = remove
                ? await gateway.SendJsonAsync<CommitteeView>(HttpMethod.Delete, $"/committees/{target.Id}/members/{Uri.EscapeDataString(memberId)}", null, ct)
                : await gateway.SendJsonAsync<CommitteeView>(HttpMethod.Post, $"/committees/{target.Id}/members",
                    new CommitteeMemberBody(memberId, parse.GetValue(chair)), ct);
            Console.WriteLine($"Committee {changed.Name} now has {changed.MemberCount} member(s).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Assign()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var committee = CommitteeArgument();
        var command = new Command("assign", "Name the committee that decides new requests on a dataset ('default' for the default one; the registering steward)")
        {
            credentials, dataset, committee,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var updated = await gateway.SendJsonAsync<DatasetDetails>(HttpMethod.Put, $"/datasets/{target.Id}/committee",
                new { committee = parse.GetValue(committee) }, ct);
            Console.WriteLine($"New requests on {updated.Name} go to committee {parse.GetValue(committee)} ({updated.CommitteeId?.ToString() ?? "default"}).");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
