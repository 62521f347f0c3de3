internal import COpenSSL

/// The server's ALPN preference, kept alive by `TLSContext` and reached from OpenSSL's select callback.
final class ALPNSelector: Sendable {
    /// Protocol names as bytes, in server preference order.
    let protocols: [[UInt8]]

    /// Fails when a name is empty or longer than the 255 bytes ALPN can carry (RFC 7301 §3.1).
    init(protocols: [String]) throws(TLSError) {
        let encoded = protocols.map { Array($0.utf8) }
        if let bad = encoded.firstIndex(where: { $0.isEmpty || $0.count > 255 }) {
            throw TLSError(call: "SSL_CTX_set_alpn_select_cb", reason: "invalid ALPN protocol name \"\(protocols[bad])\"")
        }
        self.protocols = encoded
    }

    /// The range within `offer` (the client's length-prefixed ALPN list) of the name this server
    /// prefers most among those offered, or nil when there is no overlap or the list is malformed.
    func select(fromClientOffer offer: UnsafeRawBufferPointer) -> Range<Int>? {
        for wanted in protocols {
            var index = 0
            while index < offer.count {
                let length = Int(offer[index])
                let name = (index + 1)..<(index + 1 + length)
                guard name.upperBound <= offer.count else { return nil }
                if length == wanted.count, offer[name].elementsEqual(wanted) {
                    return name
                }
                index = name.upperBound
            }
        }
        return nil
    }

    /// Installs the select callback on `context`; `self` must outlive it (the `TLSContext` owns both).
    func install(on context: OpaquePointer) {
        SSL_CTX_set_alpn_select_cb(context, alpnSelectCallback, Unmanaged.passUnretained(self).toOpaque())
    }
}

/// OpenSSL's ALPN select callback: picks by server preference and answers NOACK (carry on without
/// ALPN) rather than failing the handshake when nothing matches.
private func alpnSelectCallback(
    ssl: OpaquePointer?,
    out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    outLength: UnsafeMutablePointer<UInt8>?,
    offer: UnsafePointer<UInt8>?,
    offerLength: UInt32,
    arg: UnsafeMutableRawPointer?
) -> Int32 {
    guard let arg, let offer, let out, let outLength else { return SSL_TLSEXT_ERR_NOACK }
    let selector = Unmanaged<ALPNSelector>.fromOpaque(arg).takeUnretainedValue()
    let offered = UnsafeRawBufferPointer(start: offer, count: Int(offerLength))
    guard let chosen = selector.select(fromClientOffer: offered) else { return SSL_TLSEXT_ERR_NOACK }
    out.pointee = offer + chosen.lowerBound
    outLength.pointee = UInt8(chosen.count)
    return SSL_TLSEXT_ERR_OK
}
