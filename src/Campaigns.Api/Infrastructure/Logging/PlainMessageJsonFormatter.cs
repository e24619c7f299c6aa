using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Campaigns.Api.Infrastructure.Logging;

/// <summary>
/// Compact JSON (the same fields as Serilog's RenderedCompactJsonFormatter: <c>@t</c>, <c>@m</c>, <c>@i</c>, <c>@l</c>,
/// <c>@x</c>, then the properties), except that <c>@m</c> reads as a sentence: string values appear as they are
/// (<c>HTTP GET /health responded 200</c>, not <c>HTTP \"GET\" \"/health\"</c>), lists without quotes, and times in ISO 8601.
/// The properties keep their exact JSON values for queries.
/// </summary>
public sealed class PlainMessageJsonFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: "$type");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write("{\"@t\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O"));
        output.Write("\",\"@m\":");
        JsonValueFormatter.WriteQuotedJsonString(RenderMessage(logEvent), output);
        output.Write(",\"@i\":\"");
        output.Write(EventIdHash.Compute(logEvent.MessageTemplate.Text).ToString("x8"));
        output.Write('"');
        if (logEvent.Level != LogEventLevel.Information)
        {
            output.Write(",\"@l\":\"");
            output.Write(logEvent.Level);
            output.Write('"');
        }

        if (logEvent.Exception is not null)
        {
            output.Write(",\"@x\":");
            JsonValueFormatter.WriteQuotedJsonString(logEvent.Exception.ToString(), output);
        }

        if (logEvent.TraceId is { } traceId)
        {
            output.Write(",\"@tr\":\"");
            output.Write(traceId.ToHexString());
            output.Write('"');
        }

        if (logEvent.SpanId is { } spanId)
        {
            output.Write(",\"@sp\":\"");
            output.Write(spanId.ToHexString());
            output.Write('"');
        }

        foreach (var (key, value) in logEvent.Properties)
        {
            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(key.StartsWith('@') ? "@" + key : key, output);
            output.Write(':');
            Values.Format(value, output);
        }

        output.Write('}');
        output.WriteLine();
    }

    /// <summary>The message as a person reads it: the template's text with each value written plainly.</summary>
    public static string RenderMessage(LogEvent logEvent)
    {
        var message = new StringWriter(IsoFormatProvider.Instance);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property && logEvent.Properties.TryGetValue(property.PropertyName, out var value) && property.Alignment is null)
            {
                WritePlain(value, property.Format, message);
            }
            else
            {
                token.Render(logEvent.Properties, message, IsoFormatProvider.Instance);
            }
        }

        return message.ToString();
    }

    private static void WritePlain(LogEventPropertyValue value, string? format, TextWriter output)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                output.Write(text);
                break;
            case SequenceValue sequence:
                output.Write('[');
                for (var i = 0; i < sequence.Elements.Count; i++)
                {
                    output.Write(i == 0 ? "" : ", ");
                    WritePlain(sequence.Elements[i], null, output);
                }

                output.Write(']');
                break;
            default:
                value.Render(output, format, IsoFormatProvider.Instance);
                break;
        }
    }
}
