import Testing

@testable import KubernetesClient

@Suite struct ResourceQueryTests {
    @Test func encodesPresentValuesInOrder() {
        #expect(
            ResourceQuery.encode([("watch", "1"), ("resourceVersion", nil), ("fieldSelector", "metadata.name=eci-profile")])
                == "?watch=1&fieldSelector=metadata.name%3Deci-profile")
        #expect(ResourceQuery.encode([("labelSelector", "a in (x,y),!b")]) == "?labelSelector=a%20in%20%28x%2Cy%29%2C%21b")
        #expect(ResourceQuery.encode([("fieldSelector", nil)]) == "")
    }
}
