extension KubernetesClient {
    /// GETs one page of a collection (a paginated LIST): at most `limit` items, continuing from
    /// `continueToken` (the previous page's `metadata.continue`). Answers the body; a non-2xx
    /// answer throws `KubernetesClientError.status`.
    public func listPage(path: String, limit: Int, continueToken: String?, fieldSelector: String? = nil) async throws -> [UInt8] {
        let query = ResourceQuery.encode([("limit", String(limit)), ("continue", continueToken), ("fieldSelector", fieldSelector)])
        let response = try await get(path: path + query)
        guard (200..<300).contains(response.status) else {
            throw KubernetesClientError.status(.fromErrorBody(response.body, httpStatus: response.status))
        }
        return response.body
    }
}
