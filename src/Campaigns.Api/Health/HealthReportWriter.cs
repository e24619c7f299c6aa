using System.Buffers;
using System.Collections;
using System.Text.Json;

namespace Campaigns.Api.Health;

/// <summary>
/// Writes the /health document with <see cref="Utf8JsonWriter"/>: its values are mostly strings, numbers, times and
/// nested dictionaries, and the serializer's first use of those types through <c>object</c> (reflection metadata for
/// each) cost the first 200 of every deploy a tenth of a second. Anything else (a check's small records) still goes
/// through the serializer with the API's options, so the document reads exactly as before.
/// </summary>
internal static class HealthReportWriter
{
    public static async Task WriteAsync(Stream body, IReadOnlyDictionary<string, object?> document, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        // Into memory first (a few KB): the serializer flushes its writer synchronously, and Kestrel refuses synchronous writes.
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented }))
        {
            Write(writer, document, options);
        }

        await body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    private static void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case DateTimeOffset at:
                writer.WriteStringValue(at);
                break;
            case DateTime at:
                writer.WriteStringValue(at);
                break;
            case IEnumerable<KeyValuePair<string, object?>> entries:
                writer.WriteStartObject();
                foreach (var (key, entry) in entries)
                {
                    writer.WritePropertyName(key);
                    Write(writer, entry, options);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items and not IDictionary:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item, options);
                }

                writer.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType(), options);
                break;
        }
    }
}
