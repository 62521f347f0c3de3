/// Hand-built HTTP/2 frames (RFC 9113 section 4.1) for feeding a server what no polite client sends,
/// and a reader for the frames the server sends back.
enum HTTP2Frames {
    struct Frame {
        var type: UInt8
        var flags: UInt8
        var streamID: UInt32
        var payload: [UInt8]
    }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    static let endStream: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4

    /// HPACK for `GET https://a/`: indexed :method GET, :scheme https, :path /, literal :authority.
    static let getHeaderBlock: [UInt8] = [0x82, 0x87, 0x84, 0x01, 0x01, UInt8(ascii: "a")]

    static func frame(type: UInt8, flags: UInt8 = 0, streamID: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags,
                UInt8(streamID >> 24 & 0x7f), UInt8(streamID >> 16 & 0xff), UInt8(streamID >> 8 & 0xff),
                UInt8(streamID & 0xff)] + payload
    }

    /// The client connection preface: magic and an empty SETTINGS frame.
    static var clientPreface: [UInt8] { preface + settings() }

    static func settings() -> [UInt8] { frame(type: 0x4) }
    static func ping() -> [UInt8] { frame(type: 0x6, payload: [UInt8](repeating: 7, count: 8)) }

    static func getRequest(streamID: UInt32) -> [UInt8] {
        frame(type: 0x1, flags: endStream | endHeaders, streamID: streamID, payload: getHeaderBlock)
    }

    static func resetStream(streamID: UInt32, errorCode: UInt32 = 0x8) -> [UInt8] {
        frame(type: 0x3, streamID: streamID, payload: bigEndian(errorCode))
    }

    /// A GET request and its immediate cancellation: one step of a rapid-reset attack.
    static func requestThenReset(streamID: UInt32) -> [UInt8] {
        getRequest(streamID: streamID) + resetStream(streamID: streamID)
    }

    /// Splits concatenated frames (server output carries no preface).
    static func parse(_ bytes: [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        var index = 0
        while bytes.count - index >= 9 {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard bytes.count - index - 9 >= length else { break }
            let streamID = bytes[index + 5 ..< index + 9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7fff_ffff
            frames.append(Frame(type: bytes[index + 3], flags: bytes[index + 4], streamID: streamID,
                                payload: Array(bytes[index + 9 ..< index + 9 + length])))
            index += 9 + length
        }
        return frames
    }

    /// Error codes of the GOAWAY frames in `bytes`.
    static func goAwayErrorCodes(in bytes: [UInt8]) -> [UInt32] {
        parse(bytes).filter { $0.type == 0x7 }.map { $0.payload[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
