using ReleaseGateway.Identity.Users;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests;

namespace ReleaseGateway.Web.Admin;

/// <summary>
/// Runs an identity command (the one <c>rgw users</c> and the admin API run) for a page: its refusal becomes the
/// refusal every page shows, with the stable code, its title and the sentence saying what to do instead.
/// </summary>
public static class IdentityRefusals
{
    public static async Task Run(Func<Task> command)
    {
        try
        {
            await command();
        }
        catch (UserAdministrationException e)
        {
            var error = ErrorCodes.Get(e.Code);
            throw new RequestRefusedException(new RequestError(error.Code, error.Status, error.Title, e.Message));
        }
    }
}
