internal import CCurl

/// `curl_global_init` runs once, before the first easy handle (lazy global initialisation is thread-safe).
private let curlGlobalInitCode: UInt32 = eci_curl_global_init_default().rawValue

/// One libcurl easy handle with its error buffer; freed in `deinit`.
///
/// A handle is used by one thread at a time: `CurlHandlePool` hands it to the thread running a
/// transfer and takes it back afterwards, which is why it may cross threads (`@unchecked Sendable`).
/// Reusing handles keeps libcurl's connection, DNS and TLS session caches warm.
final class CurlEasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The TLS session and DNS caches this handle shares with the pool's other handles (kept alive by it).
    private let share: CurlShare?

    init(share: CurlShare? = nil) throws(KubernetesClientError) {
        guard curlGlobalInitCode == CURLE_OK.rawValue else {
            throw .transport(call: "curl_global_init", code: Int(curlGlobalInitCode), message: "initialisation failed")
        }
        guard let raw = curl_easy_init() else {
            throw .transport(call: "curl_easy_init", code: -1, message: "no handle")
        }
        self.raw = raw
        self.share = share
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Clears all options (keeping the caches) and re-attaches the error buffer and the share handle.
    func reset() throws(KubernetesClientError) {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
        try check(eci_curl_easy_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        if let shared = share?.raw {
            try check(eci_curl_easy_setopt_share(raw, shared), "CURLOPT_SHARE")
        }
    }

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(KubernetesClientError) {
        try check(eci_curl_easy_setopt_long(raw, option, value), name)
    }

    func set(_ option: CURLoption, _ value: String, _ name: String) throws(KubernetesClientError) {
        try check(eci_curl_easy_setopt_string(raw, option, value), name)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?, _ name: String) throws(KubernetesClientError) {
        try check(eci_curl_easy_setopt_pointer(raw, option, pointer), name)
    }

    func set(_ option: CURLoption, headers: UnsafeMutablePointer<curl_slist>?, _ name: String) throws(KubernetesClientError) {
        try check(eci_curl_easy_setopt_slist(raw, option, headers), name)
    }

    /// Sets a blob option; libcurl copies the bytes.
    func set(_ option: CURLoption, blob: [UInt8], _ name: String) throws(KubernetesClientError) {
        var bytes = blob
        let code = bytes.withUnsafeMutableBytes { eci_curl_easy_setopt_blob_copy(raw, option, $0.baseAddress, $0.count) }
        try check(code, name)
    }

    /// Sets the request body; libcurl copies it.
    func setBody(_ body: [UInt8]) throws(KubernetesClientError) {
        try check(eci_curl_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
        var bytes = body
        let code = bytes.withUnsafeMutableBytes { eci_curl_easy_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        try check(code, "CURLOPT_COPYPOSTFIELDS")
    }

    func setCallbacks(
        write: curl_write_callback, progress: curl_xferinfo_callback, context: UnsafeMutableRawPointer
    ) throws(KubernetesClientError) {
        try check(eci_curl_easy_set_write_function(raw, write), "CURLOPT_WRITEFUNCTION")
        try check(eci_curl_easy_setopt_pointer(raw, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(eci_curl_easy_set_xferinfo_function(raw, progress), "CURLOPT_XFERINFOFUNCTION")
        try check(eci_curl_easy_setopt_pointer(raw, CURLOPT_XFERINFODATA, context), "CURLOPT_XFERINFODATA")
        try set(CURLOPT_NOPROGRESS, 0, "CURLOPT_NOPROGRESS")
    }

    /// Runs the transfer on the calling thread (blocking).
    func perform() throws(KubernetesClientError) {
        try check(curl_easy_perform(raw), "curl_easy_perform")
    }

    /// The HTTP status of the last response, 0 before headers arrived.
    var responseCode: Int {
        var code = 0
        _ = eci_curl_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ call: String) throws(KubernetesClientError) {
        guard code != CURLE_OK else { return }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        throw .transport(call: call, code: Int(code.rawValue), message: message)
    }
}
