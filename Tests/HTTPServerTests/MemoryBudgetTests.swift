import Foundation
import HTTPServer
import Testing

/// The budget type and the cgroup limit it is derived from.
@Suite struct MemoryBudgetTests {
    @Test func chargesUpToTheCeilingOfEachKindOfRequest() {
        let budget = MemoryBudget(limit: 1_000, reserve: 200)
        #expect(budget.tryCharge(700, outsideReserve: true))
        #expect(!budget.tryCharge(200, outsideReserve: true))        // 900 > 800: slow requests stay out of the reserve
        #expect(budget.tryCharge(300, outsideReserve: false))        // 1,000: fast ones may use it
        #expect(!budget.tryCharge(1, outsideReserve: false))
        #expect(budget.inUse == 1_000 && budget.isReserveInUse)
        #expect(budget.refusalCount == 2)
        #expect(!budget.tryCharge(1, outsideReserve: false, countRefusal: false))
        #expect(budget.refusalCount == 2)
        budget.release(400)
        #expect(budget.inUse == 600 && !budget.isReserveInUse)
        budget.forceCharge(500)
        #expect(budget.inUse == 1_100)
    }

    @Test func defaultReserveIsAQuarterOfTheLimit() {
        #expect(MemoryBudget(limit: 64 << 20).reserve == 16 << 20)
        #expect(MemoryBudget(limit: 8 << 20).reserve == 4 << 20)
        #expect(MemoryBudget(limit: 1_000).reserve == 500)
    }

    @Test func concurrentChargesAndReleasesBalance() async {
        let budget = MemoryBudget(limit: 1 << 20)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 where budget.tryCharge(4_096, outsideReserve: false, countRefusal: false) {
                        #expect(budget.inUse <= 1 << 20)
                        budget.release(4_096)
                    }
                }
            }
        }
        #expect(budget.inUse == 0)
    }

    @Test func readsTheCgroupLimit() throws {
        #expect(ContainerMemoryLimit.parse("134217728\n") == 134_217_728)
        #expect(ContainerMemoryLimit.parse("max\n") == nil)
        #expect(ContainerMemoryLimit.parse("9223372036854771712\n") == nil)  // cgroup v1 without a limit
        #expect(ContainerMemoryLimit.parse("") == nil)

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("memory"), withIntermediateDirectories: true)
        #expect(ContainerMemoryLimit.read(root: root.path) == nil)
        try "268435456\n".write(to: root.appendingPathComponent("memory/memory.limit_in_bytes"), atomically: true, encoding: .utf8)
        #expect(ContainerMemoryLimit.read(root: root.path) == 268_435_456)      // v1
        try "134217728\n".write(to: root.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        #expect(ContainerMemoryLimit.read(root: root.path) == 134_217_728)      // v2 wins

        #expect(ContainerMemoryLimit.budget(forLimit: 128 << 20) == 46_976_204)  // 35 %
        #expect(ContainerMemoryLimit.budget(forLimit: nil) == ContainerMemoryLimit.defaultBudget)
    }
}
