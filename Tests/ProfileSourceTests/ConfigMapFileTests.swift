import ECIProfileCore
import Foundation
import ProfileSource
import Testing

@Suite struct ConfigMapFileTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func readsAConfigMapYAML() throws {
        let path = try write("cm.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: eci-profile, namespace: kube-system}
            data:
              selectors: |
                [{"name": "a", "objectSelector": {"matchLabels": {"app": "x"}}}]
              enableClusterIp: "true"
            """)
        let data = try ConfigMapFile.loadData(at: path)
        #expect(data["enableClusterIp"] == "true")
        #expect(ProfileParser.parse(data).profile?.selectors.map(\.name) == ["a"])
    }

    @Test func remembersTheLineWhereEachValueStarts() throws {
        let path = try write("cm.yaml", """
            apiVersion: v1
            kind: ConfigMap
            data:
              vpcId: vpc-1
              selectors: |
                [{"name": "a"}]
              virtualNodeSelector: '{"type": "virtual-kubelet"}'
            """)
        let contents = try ConfigMapFile.load(at: path)
        #expect(contents.valueLines == ["vpcId": 4, "selectors": 6, "virtualNodeSelector": 7])
        #expect(contents.data["selectors"] == "[{\"name\": \"a\"}]\n")
    }

    @Test func readsAJSONConfigMapAsTheYAMLReaderDoes() throws {
        let json = """
            {
              "apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "eci-profile", "namespace": "kube-system"},
              "data": {
                "vpcId": "vpc-1",
                "selectors":
                  "[{\\"name\\": \\"a\\",\\n  \\"namespaceSelector\\": {}}]",
                "enableClusterIp": "true"
              }
            }
            """
        let contents = try ConfigMapFile.load(at: try write("cm.json", json))
        #expect(contents.data == ["vpcId": "vpc-1", "selectors": "[{\"name\": \"a\",\n  \"namespaceSelector\": {}}]", "enableClusterIp": "true"])
        #expect(contents.valueLines == ["vpcId": 5, "selectors": 7, "enableClusterIp": 8])
        // A comment line makes the same text YAML only: the YAML reader finds the same data, one line down.
        let yaml = try ConfigMapFile.load(at: try write("cm.yaml", "# exported\n" + json))
        #expect(yaml.data == contents.data)
        #expect(yaml.valueLines == contents.valueLines.mapValues { $0 + 1 })
    }

    @Test func jsonThatIsNotAConfigMapIsReportedAsYAMLIs() throws {
        let pod = try write("pod.json", #"{"kind": "Pod", "data": {"a": 1}}"#)
        let unquoted = try write("unquoted.json", #"{"kind": "ConfigMap", "data": {"enableClusterIp": true}}"#)
        for (path, reason) in [(pod, "not a ConfigMap (kind: ConfigMap)"), (unquoted, "data.enableClusterIp must be a string; quote it")] {
            do {
                _ = try ConfigMapFile.loadData(at: path)
                Issue.record("loaded \(path)")
            } catch {
                #expect(error.description == "\(path): \(reason)")
            }
        }
    }

    @Test func unquotedDataValuesAreRejected() throws {
        let path = try write("cm.yaml", "kind: ConfigMap\ndata:\n  enableClusterIp: true\n")
        #expect(throws: ProfileFileError.self) { try ConfigMapFile.loadData(at: path) }
    }

    @Test func readsAKubeletMountedDirectory() throws {
        // kubelet's layout: files are symlinks through ..data into a timestamped directory.
        _ = try write("mount/..2026_11_27_00_00_00.1/selectors", #"[{"name":"m","namespaceSelector":{}}]"#)
        _ = try write("mount/..2026_11_27_00_00_00.1/vpcId", "vpc-1")
        let mount = directory.appendingPathComponent("mount")
        try FileManager.default.createSymbolicLink(atPath: mount.appendingPathComponent("..data").path, withDestinationPath: "..2026_11_27_00_00_00.1")
        for key in ["selectors", "vpcId"] {
            try FileManager.default.createSymbolicLink(atPath: mount.appendingPathComponent(key).path, withDestinationPath: "..data/\(key)")
        }
        let data = try ConfigMapFile.loadData(at: mount.path)
        #expect(data == ["selectors": #"[{"name":"m","namespaceSelector":{}}]"#, "vpcId": "vpc-1"])
    }

    @Test func missingFileIsUnreadable() {
        do {
            _ = try ConfigMapFile.loadData(at: directory.appendingPathComponent("absent.yaml").path)
            Issue.record("loaded a missing file")
        } catch {
            guard case .unreadable = error else { Issue.record("\(error)"); return }
        }
    }

    /// A FIFO (no writer) is refused at once rather than waited on: opening it for reading would block.
    @Test func fifoIsUnreadableWithoutBlocking() throws {
        let path = directory.appendingPathComponent("profile.fifo").path
        #expect(mkfifo(path, 0o600) == 0)
        do {
            _ = try ConfigMapFile.loadData(at: path)
            Issue.record("loaded a FIFO")
        } catch {
            #expect(error.description == "\(path): cannot read: permission denied or not a regular file")
        }
    }

    @Test func notAConfigMapIsMalformed() throws {
        let path = try write("pod.yaml", "kind: Pod\nmetadata: {name: x}\n")
        do {
            _ = try ConfigMapFile.loadData(at: path)
            Issue.record("loaded a Pod as a ConfigMap")
        } catch {
            #expect(error.description == "\(path): not a ConfigMap (kind: ConfigMap)")
        }
    }

    @Test func namespaceLabelsFile() throws {
        let path = try write("ns.yaml", "batch: {team: batch, eci: \"true\"}\nplain: {}\nempty:\n")
        #expect(try NamespaceLabelsFile.load(at: path) == ["batch": ["team": "batch", "eci": "true"], "plain": [:], "empty": [:]])
        let json = try write("ns.json", #"{"batch": {"team": "batch", "eci": "true"}, "plain": {}, "empty": null}"#)
        #expect(try NamespaceLabelsFile.load(at: json) == ["batch": ["team": "batch", "eci": "true"], "plain": [:], "empty": [:]])
        #expect(NamespaceLabelsFile.parsePairs("a=b,c=") == ["a": "b", "c": ""])
        #expect(NamespaceLabelsFile.parsePairs("a") == nil)
    }

    @Test func yamlScalarsAreTyped() throws {
        let value = try JSONValue(yaml: "a: 1\nb: true\nc: null\nd: \"1\"\ne: 1.5\nf: text\n")
        #expect(value == (try JSONValue(parsing: #"{"a":1,"b":true,"c":null,"d":"1","e":1.5,"f":"text"}"#)))
    }
}
