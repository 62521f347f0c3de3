import ECIProfileCore
import Testing

/// `StringMap` holds what a dictionary would after the same assignments: pods' labels and
/// nodeSelector are read into one.
@Suite struct StringMapTests {
    private static func pairs(_ map: StringMap?) -> [String]? {
        map?.entries.map { "\($0.key)=\($0.value)" }
    }

    /// A repeated key counts as its last occurrence and keeps its first place; a missing key is nil.
    @Test func decodedMapsKeepTheLastValueOfARepeatedKey() throws {
        let pod = try PodSnapshot(json: Array(#"""
            {"metadata":{"labels":{"app":"web","tier":"a","app":"worker","x":"","tier":"b"}},
             "spec":{"nodeSelector":{"type":"node","zone":"z1","type":"virtual-kubelet"}}}
            """#.utf8))
        #expect(Self.pairs(pod.labels) == ["app=worker", "tier=b", "x="])
        #expect(Self.pairs(pod.nodeSelector) == ["type=virtual-kubelet", "zone=z1"])
        #expect(pod.labels?["app"] == "worker")
        #expect(pod.labels?["x"] == "")
        #expect(pod.labels?["ap"] == nil)
        #expect(pod.labels?["apps"] == nil)
        #expect(pod.nodeSelector?["Type"] == nil)
    }

    /// An empty map is present (a patch adds to it member by member); `null` or no member is absent.
    @Test func anEmptyMapIsPresentAndNullIsAbsent() throws {
        let pod = try PodSnapshot(json: Array(#"{"metadata":{"labels":{}},"spec":{"nodeSelector":null}}"#.utf8))
        #expect(pod.labels == StringMap())
        #expect(pod.labels?.count == 0)
        #expect(pod.labels?["app"] == nil)
        #expect(pod.nodeSelector == nil)
    }

    /// Equality is a dictionary's: the same keys with the same values, whatever the order.
    @Test func equalityIgnoresOrder() {
        let map: StringMap = ["a": "1", "b": "2", "c": "3"]
        #expect(map == ["c": "3", "a": "1", "b": "2"])
        #expect(map != ["a": "1", "b": "2"])
        #expect(["a": "1", "b": "2"] != map)
        #expect(map != ["a": "1", "b": "2", "c": "4"])
        #expect(map != ["a": "1", "b": "2", "d": "3"])
        #expect(StringMap() == [:])
    }

    /// Beyond a handful of entries the map keeps an index; it must still hold what a dictionary
    /// holds, in first-seen order, after random assignments with many repeated keys.
    @Test func bigMapsAgreeWithADictionary() {
        var g = LabelSelectorPropertyTests.Generator(state: 11)
        for size in [3, 16, 17, 40, 300] {
            var map = StringMap()
            var reference: [String: String] = [:]
            var order: [String] = []
            for step in 0..<(size * 3) {
                let key = "example.com/k\(Int.random(in: 0..<size, using: &g))"
                if reference[key] == nil { order.append(key) }
                reference[key] = "v\(step)"
                map.updateValue("v\(step)", forKey: key)
            }
            #expect(map.count == reference.count)
            #expect(map.entries.map(\.key) == order)
            for key in order { #expect(map[key] == reference[key]) }
            #expect(map["example.com/k\(size)"] == nil)
            var reversed = StringMap()
            for key in order.reversed() { reversed.updateValue(reference[key]!, forKey: key) }
            #expect(reversed == map)
            reversed.updateValue("changed", forKey: order[0])
            #expect(reversed != map)
        }
    }
}
