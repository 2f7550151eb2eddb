using ReleaseGateway.Requests.Validation;

namespace ReleaseGateway.Requests.Tests.Validation;

/// <summary>Issue 15, row 12: the one rule every validator of typed text uses.</summary>
public sealed class PlainTextTests
{
    [Theory]
    [InlineData("Readmission\u0000", 0x0000, 12)]
    [InlineData("a\u0007b", 0x0007, 2)]
    [InlineData("x\u007F", 0x007F, 2)]
    [InlineData("x\u0085", 0x0085, 2)]
    [InlineData("\u202Eexe.txt", 0x202E, 1)]
    [InlineData("ab\u202A", 0x202A, 3)]
    [InlineData("a\u2066b\u2069", 0x2066, 2)]
    [InlineData("a\u2069", 0x2069, 2)]
    [InlineData("line\nbreak", 0x000A, 5)]
    public void Bug_ControlOrBidiCharacter_InASingleLineField_IsFoundWithItsPosition(string text, int codePoint, int position)
    {
        var found = PlainText.FirstForbidden(text, multiLine: false);
        Assert.Equal((codePoint, position), (found!.Value.Character.Value, found.Value.Index + 1));
    }

    [Theory]
    [InlineData("Readmission risk, 30 days")]
    [InlineData("Zürich – 東京 – ε ≤ 1 – مرحبا")] // letters of any script, and the implicit marks they bring, are text
    [InlineData("a\u200Fb")] // a right-to-left mark is not an override
    [InlineData("")]
    public void Given_PlainText_When_Checked_Then_NothingIsForbidden(string text) =>
        Assert.Null(PlainText.FirstForbidden(text, multiLine: false));

    [Fact]
    public void Given_FreeText_When_ItHasLineBreaksAndTabs_Then_TheyAreAllowedButOtherControlsAreNot()
    {
        Assert.Null(PlainText.FirstForbidden("First.\r\n\tSecond.", multiLine: true));
        Assert.Equal(0x0000, PlainText.FirstForbidden("First.\r\n\u0000", multiLine: true)!.Value.Character.Value);
        Assert.Equal(0x202D, PlainText.FirstForbidden("First.\n\u202D", multiLine: true)!.Value.Character.Value);
    }
}
