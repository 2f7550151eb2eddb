using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using QRCoder;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// A QR code as inline SVG: one path of dark modules on a light square, sized by attributes only. The pages' content
/// security policy allows no inline style and images only from this origin, so the drawing carries neither.
/// </summary>
public static class QrSvg
{
    private const int PixelsPerModule = 5;

    public static string Render(string text, string label)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix; // with its quiet zone
        var size = matrix.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                if (matrix[y][x]) path.Append(CultureInfo.InvariantCulture, $"M{x} {y}h1v1h-1z");
        var pixels = size * PixelsPerModule;
        return $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{HtmlEncoder.Default.Encode(label)}" viewBox="0 0 {size} {size}" width="{pixels}" height="{pixels}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>""";
    }
}
