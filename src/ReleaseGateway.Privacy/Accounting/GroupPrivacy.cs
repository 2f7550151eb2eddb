namespace ReleaseGateway.Privacy.Accounting;

/// <summary>
/// Group privacy in zCDP: a mechanism that is ρ-zCDP for tables differing in one row is k²ρ-zCDP for tables differing
/// in k rows (Bun and Steinke, "Concentrated differential privacy", TCC 2016, arXiv:1605.02065, Prop. 1.9). With each
/// person's contribution bounded to k rows (<see cref="Sampling.ContributionBounding"/>), a person is a group of at most k.
/// </summary>
public static class GroupPrivacy
{
    /// <summary>k²ρ: the per-person zCDP of a mechanism that is ρ-zCDP per row, with at most k rows per person.</summary>
    public static double RhoForGroup(double rhoPerRow, int groupSize)
    {
        Check(rhoPerRow, groupSize);
        return (double)groupSize * groupSize * rhoPerRow;
    }

    /// <summary>ρ/k²: the per-row zCDP at which to run row-level mechanisms so that they are ρ-zCDP per person.</summary>
    public static double RhoPerRow(double rhoPerUnit, int groupSize)
    {
        Check(rhoPerUnit, groupSize);
        return rhoPerUnit / ((double)groupSize * groupSize);
    }

    private static void Check(double rho, int groupSize)
    {
        if (!(rho >= 0) || !double.IsFinite(rho))
        {
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be finite and >= 0");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
    }
}
