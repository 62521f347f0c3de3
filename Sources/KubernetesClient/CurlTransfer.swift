internal import CCurl

/// Receives the response body of one transfer as it arrives, on the transfer thread.
protocol ResponseSink: AnyObject {
    /// Takes the next body bytes of a response with HTTP `status`; an error aborts the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer, status: Int) -> KubernetesClientError?
}

/// One HTTP request as libcurl will send it: a GET, or a POST when it has a body.
struct CurlRequest: Sendable {
    var url: String
    var headers: [String]
    var body: [UInt8]?
    /// Limit on the whole transfer, from connecting to the last byte.
    var timeout: Duration
}

/// Runs one request on an easy handle, on the calling thread, feeding the body to a sink.
///
/// libcurl's callbacks recover this object through `Unmanaged`; the write callback stops the
/// transfer when the sink reports an error (kept here for the caller), and the progress callback
/// stops it when the consuming task is cancelled.
final class CurlTransfer {
    private let handle: CurlEasyHandle
    private let sink: any ResponseSink
    private let cancellation: TransferCancellation
    private var status = 0
    private var sinkError: KubernetesClientError?

    init(handle: CurlEasyHandle, sink: any ResponseSink, cancellation: TransferCancellation) {
        self.handle = handle
        self.sink = sink
        self.cancellation = cancellation
    }

    /// Performs the request and answers the HTTP status, or why there is none.
    func run(_ request: CurlRequest, configuration: KubernetesClientConfiguration) throws(KubernetesClientError) -> Int {
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        for header in request.headers {
            headers = curl_slist_append(headers, header)
        }
        try handle.reset()
        try handle.set(CURLOPT_URL, request.url, "CURLOPT_URL")
        try handle.set(CURLOPT_PROTOCOLS_STR, "http,https", "CURLOPT_PROTOCOLS_STR")
        try handle.set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds, "CURLOPT_CONNECTTIMEOUT_MS")
        try handle.set(CURLOPT_TIMEOUT_MS, request.timeout.milliseconds, "CURLOPT_TIMEOUT_MS")
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1, "CURLOPT_TCP_KEEPALIVE")
        try handle.set(CURLOPT_TCP_KEEPIDLE, 30, "CURLOPT_TCP_KEEPIDLE")
        try handle.set(CURLOPT_TCP_KEEPINTVL, 10, "CURLOPT_TCP_KEEPINTVL")
        try handle.set(CURLOPT_HTTPHEADER, headers: headers, "CURLOPT_HTTPHEADER")
        try applyTLS(configuration)
        if let body = request.body {
            try handle.setBody(body)
        } else {
            try handle.set(CURLOPT_HTTPGET, 1, "CURLOPT_HTTPGET")
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        try handle.setCallbacks(write: curlWriteCallback, progress: curlProgressCallback, context: context)

        do {
            try withExtendedLifetime(self) { () throws(KubernetesClientError) in try handle.perform() }
        } catch {
            if let sinkError { throw sinkError }
            if cancellation.isCancelled { throw .cancelled }
            throw error
        }
        return handle.responseCode
    }

    private func applyTLS(_ configuration: KubernetesClientConfiguration) throws(KubernetesClientError) {
        switch configuration.certificateAuthority {
        case .file(let path)?:
            try handle.set(CURLOPT_CAINFO, path, "CURLOPT_CAINFO")
            try handle.set(CURLOPT_CAPATH, pointer: nil, "CURLOPT_CAPATH")
        case .bytes(let pem)?:
            try handle.set(CURLOPT_CAINFO_BLOB, blob: pem, "CURLOPT_CAINFO_BLOB")
            try handle.set(CURLOPT_CAPATH, pointer: nil, "CURLOPT_CAPATH")
        case nil:
            break
        }
        if configuration.insecureSkipTLSVerify {
            try handle.set(CURLOPT_SSL_VERIFYPEER, 0, "CURLOPT_SSL_VERIFYPEER")
            try handle.set(CURLOPT_SSL_VERIFYHOST, 0, "CURLOPT_SSL_VERIFYHOST")
        }
        switch configuration.clientCertificate {
        case .file(let path)?: try handle.set(CURLOPT_SSLCERT, path, "CURLOPT_SSLCERT")
        case .bytes(let pem)?: try handle.set(CURLOPT_SSLCERT_BLOB, blob: pem, "CURLOPT_SSLCERT_BLOB")
        case nil: break
        }
        switch configuration.clientKey {
        case .file(let path)?: try handle.set(CURLOPT_SSLKEY, path, "CURLOPT_SSLKEY")
        case .bytes(let pem)?: try handle.set(CURLOPT_SSLKEY_BLOB, blob: pem, "CURLOPT_SSLKEY_BLOB")
        case nil: break
        }
    }

    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if status == 0 { status = handle.responseCode }
        sinkError = sink.receive(bytes, status: status)
        return sinkError == nil
    }

    fileprivate var shouldStop: Bool { cancellation.isCancelled }
}

private let curlWriteCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let curlProgressCallback: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 1 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().shouldStop ? 1 : 0
}

extension Duration {
    /// Whole milliseconds, at least 1 so libcurl never reads 0 as "no limit".
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
