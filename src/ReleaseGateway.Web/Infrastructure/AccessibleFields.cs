using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// Ties an input to its error message for assistive technology: an input whose field has errors gets
/// <c>aria-invalid</c> and <c>aria-describedby</c> pointing at the message, which gets the matching id.
/// </summary>
[HtmlTargetElement("input", Attributes = "asp-for")]
[HtmlTargetElement("select", Attributes = "asp-for")]
[HtmlTargetElement("textarea", Attributes = "asp-for")]
public sealed class AccessibleFieldTagHelper : TagHelper
{
    [HtmlAttributeName("asp-for")]
    public Microsoft.AspNetCore.Mvc.ViewFeatures.ModelExpression For { get; set; } = null!;

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    // After the framework's helpers, which write id and name.
    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var name = ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(For.Name);
        if (!ViewContext.ViewData.ModelState.TryGetValue(name, out var entry) || entry.Errors.Count == 0) return;
        output.Attributes.SetAttribute("aria-invalid", "true");
        var describedBy = output.Attributes.TryGetAttribute("aria-describedby", out var existing) ? existing.Value + " " : "";
        output.Attributes.SetAttribute("aria-describedby", describedBy + ErrorId(name));
    }

    public static string ErrorId(string fullName) => TagBuilder.CreateSanitizedId(fullName, "_") + "-error";
}

/// <summary>Gives a field's error message the id its input points to.</summary>
[HtmlTargetElement("span", Attributes = "asp-validation-for")]
public sealed class ValidationMessageIdTagHelper : TagHelper
{
    [HtmlAttributeName("asp-validation-for")]
    public ModelExpression For { get; set; } = null!;

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output) =>
        output.Attributes.SetAttribute("id", AccessibleFieldTagHelper.ErrorId(ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(For.Name)));
}
