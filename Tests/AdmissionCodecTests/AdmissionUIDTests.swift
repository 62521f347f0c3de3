import AdmissionCodec
import ECIProfileCore
import Testing

@Suite struct AdmissionUIDTests {
    /// Uids kept in the value (short, without escapes) and in a string (longer, or with escapes)
    /// are read, compared and echoed alike.
    @Test(arguments: [
        (#"2"#, "2"),
        (#"321769c4-21b5-4dcb-951b-2ccfc36aebf9"#, "321769c4-21b5-4dcb-951b-2ccfc36aebf9"),
        (String(repeating: "u", count: 40), String(repeating: "u", count: 40)),
        (String(repeating: "u", count: 41), String(repeating: "u", count: 41)),
        (#"é-ü"#, "é-ü"),
        (#"a\u0041\"b\n"#, "aA\"b\n"),
    ])
    func readsComparesAndEchoes(text: String, uid: String) throws {
        let body = #"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":""# + text + #""}}"#
        let request = try AdmissionReviewDecoder.decode(Array(body.utf8))
        #expect(request.uid == AdmissionUID(uid))
        #expect(request.uid.description == uid)
        #expect(request.uid.utf8Count == uid.utf8.count)
        let answer = try JSONValue(parsing: AdmissionResponse(uid: request.uid).encoded(apiVersion: .v1))
        #expect(answer["response"]?["uid"] == .string(uid))
    }

    @Test func differentUIDsDiffer() throws {
        let body = #"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"abc"}}"#
        let request = try AdmissionReviewDecoder.decode(Array(body.utf8))
        #expect(request.uid != "abd")
        #expect(request.uid != "ab")
        #expect(request.uid == "abc")
    }
}
