using System.CommandLine;

namespace ReleaseGateway.Cli;

internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "Verify, checkpoint and export the audit log");
        return audit;
    }
}
