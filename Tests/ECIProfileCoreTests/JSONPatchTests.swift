import ECIProfileCore
import Testing

@Suite struct JSONPatchTests {
    @Test(arguments: [
        (["metadata", "labels", "app.kubernetes.io/name"], "/metadata/labels/app.kubernetes.io~1name"),
        (["a~b", "c/d~e"], "/a~0b/c~1d~0e"),
        (["tilde~1literal"], "/tilde~01literal"),
        ([""], "/"),
    ])
    func pointerEscaping(tokens: [String], text: String) throws {
        #expect(JSONPointer(tokens).description == text)
        #expect(JSONPointer(parsing: text) == JSONPointer(tokens))
    }

    @Test func pointerMustStartWithSlash() {
        #expect(JSONPointer(parsing: "a/b") == nil)
        #expect(JSONPointer(parsing: "") == JSONPointer())
    }

    @Test func patchSerializesAsRFC6902() throws {
        let patch: [JSONPatchOperation] = [.add(JSONPointer(["metadata", "labels", "a/b"]), .string("v"))]
        #expect(String(decoding: patch.jsonBytes, as: UTF8.self) == #"[{"op":"add","path":"/metadata/labels/a~1b","value":"v"}]"#)
    }

    @Test func patchTextReadsBack() throws {
        let patch: [JSONPatchOperation] = [
            .add(JSONPointer(["metadata", "labels", "a/b~c"]), .string("v")),
            .add(JSONPointer(["spec", "tolerations"]), .array([.object([KeyValue("key", "k")])])),
        ]
        #expect([JSONPatchOperation](jsonBytes: patch.jsonBytes) == patch)
        #expect([JSONPatchOperation](jsonBytes: []) == [])
        #expect([JSONPatchOperation](jsonBytes: Array(#"[{"op":"remove","path":"/a"}]"#.utf8)) == nil)
        #expect([JSONPatchOperation](jsonBytes: Array(#"[{"op":"add","path":"a","value":1}]"#.utf8)) == nil)
        #expect([JSONPatchOperation](jsonBytes: Array(#"[{"op":"add","path":"/a"}]"#.utf8)) == nil)
        #expect([JSONPatchOperation](jsonBytes: Array(#"[{"op":"add","path":"/a","value":1}"#.utf8)) == nil)
    }

    @Test func applyAddsMembersAndAppends() throws {
        let document = try JSONValue(parsing: #"{"spec":{"tolerations":[{"key":"a"}]},"metadata":{}}"#)
        let patch: [JSONPatchOperation] = [
            .add(JSONPointer(["spec", "tolerations", "-"]), .object([JSONMember("key", .string("b"))])),
            .add(JSONPointer(["spec", "tolerations", "0"]), .object([JSONMember("key", .string("first"))])),
            .add(JSONPointer(["metadata", "labels"]), .object([KeyValue("x", "y")])),
        ]
        #expect(try patch.apply(to: document) == JSONValue(parsing:
            #"{"spec":{"tolerations":[{"key":"first"},{"key":"a"},{"key":"b"}]},"metadata":{"labels":{"x":"y"}}}"#))
    }

    @Test func applyFailsOnMissingParent() throws {
        let patch: [JSONPatchOperation] = [.add(JSONPointer(["metadata", "labels", "x"]), .string("y"))]
        #expect(throws: JSONPatchError.self) { try patch.apply(to: JSONValue(parsing: #"{"metadata":{}}"#)) }
    }
}
