namespace Campaigns.Tests.Contract;

/// <summary>
/// On every client the factory hands out: each response to a documented operation is checked against the served
/// OpenAPI document, so every integration test is also a contract test. A broken contract fails the request (and so
/// the test) with what differs.
/// </summary>
public sealed class ContractCheckingHandler(Func<Task<OpenApiContract>> contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/health", StringComparison.Ordinal))
        {
            return response;
        }

        string? body = null;
        var mediaType = response.Content?.Headers.ContentType?.MediaType;
        if (response.Content is not null && request.Method != HttpMethod.Head && mediaType is not "application/octet-stream")
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken); // the test can still read the body
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var violation = (await contract()).Check(request.Method, path, response.StatusCode, response, body);
        if (violation is not null)
        {
            response.Dispose();
            throw new ContractViolationException(violation);
        }

        return response;
    }
}

public sealed class ContractViolationException(string message) : Exception($"OpenAPI contract broken: {message}");
