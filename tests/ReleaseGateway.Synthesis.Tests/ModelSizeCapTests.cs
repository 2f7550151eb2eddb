using ReleaseGateway.Synthesis.Models;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Synthesis.Tests;

/// <summary>AIM's model-size cap on the junction-tree path (ADR 0035), on a small known case: four columns of 10 codes.</summary>
public class ModelSizeCapTests
{
    private static readonly int[] Domain = [10, 10, 10, 10];

    // Selected so far: the pair {0, 1}. Its junction tree holds {0, 1} (100 cells) and the singletons {2}, {3} (10 each).
    private static readonly int[][] Selected = [[0, 1]];

    private static JunctionTree Current() => JunctionTree.Build(4, Selected, Domain);

    [Fact]
    public void Given_AThreeWayCandidateThatWouldTakeTheTreePastTheCap_When_Checked_Then_ItIsExcludedAndSmallerOnesAreAdmitted()
    {
        // After 0.4 % of the rounds' ρ the cap is 2^18 × 0.004 = 1048.6 cells; {1, 2, 3} would make the tree {0, 1} + {1, 2, 3} = 1100.
        double cap = ModelSizeCap.Cap(0.004, Current().CellCount(Domain));
        Assert.Equal(SynthesisTuning.ModelCellCap * 0.004, cap, 9);
        Assert.Equal(1100, JunctionTree.Build(4, [.. Selected, [1, 2, 3]], Domain).CellCount(Domain));

        Assert.False(ModelSizeCap.Admits(4, Selected, [1, 2, 3], Domain, Current(), cap));
        Assert.True(ModelSizeCap.Admits(4, Selected, [2, 3], Domain, Current(), cap)); // {0, 1} + {2, 3} = 200 cells
        Assert.True(ModelSizeCap.Admits(4, Selected, [1, 2], Domain, Current(), cap)); // {0, 1} + {1, 2} + {3} = 210 cells
    }

    [Fact]
    public void Given_MoreOfTheBudgetSpent_When_Checked_Then_TheSameThreeWayCandidateFits()
    {
        // 2^18 × 0.0045 = 1179.6 ≥ 1100: the cap grows with the share of ρ spent, as AIM's max_model_size × ρ_used / ρ.
        double cap = ModelSizeCap.Cap(0.0045, Current().CellCount(Domain));
        Assert.True(ModelSizeCap.Admits(4, Selected, [1, 2, 3], Domain, Current(), cap));
    }

    [Fact]
    public void Given_NothingSpentYet_When_Checked_Then_TheCapIsTheCurrentTreeAndOnlyWhatItHoldsIsAdmitted()
    {
        double cap = ModelSizeCap.Cap(0, Current().CellCount(Domain));
        Assert.Equal(120, cap);
        Assert.True(ModelSizeCap.Admits(4, Selected, [0, 1], Domain, Current(), cap)); // re-measuring inside the tree
        Assert.True(ModelSizeCap.Admits(4, Selected, [0], Domain, Current(), cap));
        Assert.False(ModelSizeCap.Admits(4, Selected, [2, 3], Domain, Current(), cap));
    }
}
