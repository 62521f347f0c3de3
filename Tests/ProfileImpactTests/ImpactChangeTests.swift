import ECIProfileCore
import ProfileImpact
import Testing

@Suite struct ImpactChangeTests {
    @Test func placeholder() {}
}
